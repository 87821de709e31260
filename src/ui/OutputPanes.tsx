import './styles/panes.css';
import { planRun } from '../core/plan';
import { useApp } from '../state/store';
import { OutputPane } from './OutputPane';

/** Base and Guided side by side, or the single stream of the other modes. */
export function OutputPanes() {
  const streams = useApp((s) => s.run.view.streams);
  const mode = useApp((s) => s.settings.mode);
  const runError = useApp((s) => s.run.view.error);
  const shown = streams.length > 0 ? streams : planRun(mode).streams.map((f) => f.stream);
  return (
    <section className="outputs" aria-label="Output">
      {runError && (
        <p className="message message--error" role="alert">
          {runError.name}: {runError.message}
        </p>
      )}
      <div className={`panes panes--${shown.length}`}>
        {shown.map((name) => (
          <OutputPane key={name} stream={name} />
        ))}
      </div>
    </section>
  );
}
