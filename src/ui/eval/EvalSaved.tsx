import { deleteSavedEval, openSavedEval } from '../../state/evalActions';
import { useApp } from '../../state/store';
import { formatDate } from '../format';

/** Evaluations kept in this browser (IndexedDB): open one to see or resume it, or delete it. */
export function EvalSaved() {
  const saved = useApp((s) => s.eval.saved);
  const status = useApp((s) => s.eval.savedStatus);
  const currentId = useApp((s) => s.eval.current?.meta.id ?? null);
  const busy = useApp((s) => s.eval.status !== 'idle');
  return (
    <section className="panel" aria-labelledby="eval-saved-heading">
      <h2 id="eval-saved-heading">Saved evaluations</h2>
      {status === 'loading' ? (
        <p className="hint">Reading saved evaluations…</p>
      ) : saved.length === 0 ? (
        <p className="hint">
          Every evaluation is saved here as its items finish; a stopped one can be resumed.
        </p>
      ) : (
        <ul className="eval-saved" aria-label="Saved evaluations">
          {saved.map((m) => (
            <li
              key={m.id}
              className={
                m.id === currentId ? 'eval-saved__item eval-saved__item--active' : 'eval-saved__item'
              }
              data-eval-id={m.id}
            >
              <div>
                <strong>{m.set.name}</strong>{' '}
                <span className="hint">
                  {formatDate(m.createdAt)} · {m.done} / {m.set.itemIds.length} items ·{' '}
                  {[...(m.settings.base ? ['base'] : []), ...m.settings.alphas.map((a) => `α ${a}`)].join(
                    ', ',
                  )}{' '}
                  · {m.trio.label}
                </span>
              </div>
              <div className="row">
                <button
                  type="button"
                  className="button button--small"
                  disabled={busy}
                  onClick={() => void openSavedEval(m.id)}
                >
                  Open
                </button>
                <button
                  type="button"
                  className="button button--small button--danger-quiet"
                  disabled={busy}
                  onClick={() => void deleteSavedEval(m.id)}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
