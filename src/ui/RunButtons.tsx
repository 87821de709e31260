import { regenerate, startRun, stopRun } from '../state/runActions';
import { useApp } from '../state/store';

export function RunButtons() {
  const status = useApp((s) => s.run.status);
  const loaded = useApp((s) => s.load.status === 'loaded');
  const hasLast = useApp((s) => s.run.last !== null);
  const idle = status === 'idle';
  return (
    <div className="row run-buttons">
      <button
        type="button"
        className="button button--primary button--large"
        disabled={!idle || !loaded}
        aria-keyshortcuts="Control+Enter"
        onClick={() => void startRun()}
      >
        Run
      </button>
      <button
        type="button"
        className="button button--danger"
        disabled={status !== 'running' && status !== 'checking'}
        aria-keyshortcuts="Escape"
        onClick={stopRun}
      >
        {status === 'stopping' ? 'Stopping…' : 'Stop'}
      </button>
      <button
        type="button"
        className="button"
        disabled={!idle || !loaded || !hasLast}
        onClick={() => void regenerate()}
      >
        Regenerate
      </button>
    </div>
  );
}
