import { useApp } from '../state/store';
import { AlphaSlider } from './AlphaSlider';
import { RunButtons } from './RunButtons';
import { RunStatus } from './RunStatus';

/** Run / Stop / Regenerate, the live α slider and what the run is doing. */
export function RunToolbar() {
  const status = useApp((s) => s.run.status);
  const formError = useApp((s) => s.run.formError);
  return (
    <section className="toolbar-wrap" aria-label="Run controls" data-run-status={status}>
      <div className="toolbar">
        <RunButtons />
        <AlphaSlider />
        <RunStatus />
      </div>
      {formError && (
        <p className="message message--error" role="alert">
          {formError}
        </p>
      )}
    </section>
  );
}
