import { resumeEval, startEval, stopEval } from '../../state/evalActions';
import { useApp } from '../../state/store';
import { etaSeconds, formatDuration } from '../../core/eval/eta';

/** Run / Stop / Resume, and how far the run is. */
export function EvalControls() {
  const status = useApp((s) => s.eval.status);
  const loaded = useApp((s) => s.load.status === 'loaded');
  const hasSet = useApp((s) => s.eval.set !== null);
  const current = useApp((s) => s.eval.current);
  const progress = useApp((s) => s.eval.progress);
  const formError = useApp((s) => s.eval.formError);
  const idle = status === 'idle';
  const unfinished = current !== null && current.records.length < current.meta.set.itemIds.length;
  const total = progress?.total ?? current?.meta.set.itemIds.length ?? 0;
  const done = progress?.done ?? current?.records.length ?? 0;
  return (
    <div className="stack" aria-label="Evaluation controls" role="group" data-eval-status={status}>
      <div className="row">
        <button
          type="button"
          className="button button--primary button--large"
          disabled={!idle || !loaded || !hasSet}
          onClick={() => void startEval()}
        >
          Run evaluation
        </button>
        <button
          type="button"
          className="button button--danger"
          disabled={status !== 'running'}
          onClick={stopEval}
        >
          {status === 'stopping' ? 'Stopping…' : 'Stop'}
        </button>
        <button
          type="button"
          className="button"
          disabled={!idle || !loaded || !unfinished}
          onClick={() => void resumeEval()}
        >
          Resume
        </button>
        {!loaded && <span className="hint">Load the models first (Models, in the sidebar).</span>}
      </div>
      {formError && (
        <p className="message message--error" role="alert">
          {formError}
        </p>
      )}
      {current && (
        <div className="eval-progress">
          <progress max={Math.max(1, total)} value={done} aria-label="Items done" />
          <span data-testid="eval-progress">
            {done} / {total} items
          </span>
          {progress?.itemId && <span className="hint">running {progress.itemId}</span>}
          {progress && progress.itemSeconds.length > 0 && (
            <span className="hint">
              {(progress.itemSeconds.reduce((a, b) => a + b, 0) / progress.itemSeconds.length).toFixed(1)}{' '}
              s/item · ETA {formatDuration(etaSeconds(progress.done, progress.total, progress.itemSeconds))}
            </span>
          )}
          {current.meta.failed.length > 0 && (
            <span className="hint" role="status">
              {current.meta.failed.length} failed (
              {current.meta.failed.map((f) => `${f.id}: ${f.error.message}`).join('; ')})
            </span>
          )}
        </div>
      )}
    </div>
  );
}
