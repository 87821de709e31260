import type { StoppedModel } from '../state/loadView';
import { retryLoad } from '../state/modelActions';
import { useApp } from '../state/store';

/**
 * A model that stopped during a run (worker died, GPU device lost): why, and Load again, which loads
 * the same trio (stored files are not downloaded again). Outputs and history are left as they are.
 */
export function ModelStoppedNotice({ stopped, label }: { stopped: StoppedModel; label: string }) {
  const busy = useApp((s) => s.run.status !== 'idle' || s.load.status === 'loading');
  return (
    <div className="message message--error model-card__stopped" role="alert">
      <p>
        <strong>Stopped</strong> — {stopped.message}
      </p>
      <p className="hint">
        {stopped.name}. Runs that need the {label.toLowerCase()} model are refused until the trio is loaded
        again.
      </p>
      <button type="button" className="button" disabled={busy} onClick={() => void retryLoad()}>
        Load again
      </button>
    </div>
  );
}
