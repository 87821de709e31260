import '../styles/eval.css';
import { EvalControls } from './EvalControls';
import { EvalForm } from './EvalForm';
import { EvalItems } from './EvalItems';
import { EvalResults } from './EvalResults';
import { EvalSaved } from './EvalSaved';
import { EvalSetPicker } from './EvalSetPicker';

/** Evaluate: a set of image/question/answer items through base and guided decoding, scored. */
export function EvalView() {
  return (
    <div className="eval" id="view-evaluate" role="tabpanel" aria-labelledby="tab-evaluate">
      <section className="panel" aria-labelledby="eval-set-heading">
        <h2 id="eval-set-heading">Evaluation set</h2>
        <EvalSetPicker />
      </section>
      <section className="panel" aria-labelledby="eval-run-heading">
        <h2 id="eval-run-heading">Evaluation</h2>
        <EvalForm />
        <EvalControls />
      </section>
      <EvalResults />
      <EvalItems />
      <EvalSaved />
    </div>
  );
}
