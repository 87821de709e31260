import type { StoppedModel } from '../state/loadView';
import { reloadStopped } from '../state/modelActions';
import { useApp } from '../state/store';

/**
 * A model that stopped during a run (worker died, GPU device lost, onnxruntime out of memory): why,
 * and Load again, which gives it a new worker loaded from the same files (browser storage); the
 * other models, the outputs, the history and the settings are left as they are.
 */
export function ModelStoppedNotice({ stopped, label }: { stopped: StoppedModel; label: string }) {
  const busy = useApp((s) => s.run.status !== 'idle' || s.load.status === 'loading');
  return (
    <div className="message message--error model-card__stopped" role="alert">
      <p>
        <strong>Stopped</strong> — {stopped.message}
      </p>
      <p className="hint">
        {stopped.name}. Runs that need the {label.toLowerCase()} model are refused until it is loaded again.
      </p>
      <button type="button" className="button" disabled={busy} onClick={() => void reloadStopped()}>
        Load again
      </button>
    </div>
  );
}
