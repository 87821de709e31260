import { rowLabel } from '../../core/eval/report';
import type { ItemRecord, StreamScore } from '../../core/eval/types';
import { openItemAsRun, toggleItem } from '../../state/evalActions';
import { useApp } from '../../state/store';

function Verdict({ s }: { s: StreamScore }) {
  return (
    <span
      className={`verdict verdict--${s.correct ? 'right' : 'wrong'}`}
      title={s.extracted === null ? 'no answer found' : `extracted ${s.extracted} (${s.method})`}
    >
      {s.correct ? '✓' : '✗'}
      <span className="visually-hidden">{s.correct ? ' right' : ' wrong'}</span>
    </span>
  );
}

function ItemDetail({ r, canRun }: { r: ItemRecord; canRun: boolean }) {
  return (
    <div className="eval-item-detail" data-testid={`eval-item-${r.id}`}>
      <p>
        <strong>Question:</strong> {r.question}
      </p>
      <p>
        <strong>Answer:</strong> {r.answer} <span className="hint">({r.answer_type.replace('_', ' ')})</span>
      </p>
      {r.results.map((s) => (
        <div key={rowLabel(s)} className="eval-output">
          <p className="eval-output__head">
            <Verdict s={s} /> <strong>{rowLabel(s)}</strong> · extracted <code>{s.extracted ?? '—'}</code>
            {s.method && <span className="hint"> by {s.method}</span>} · {s.tokens ?? '?'} tokens ·{' '}
            {s.reason ?? ''}
            {s.error && (
              <span className="message--error">
                {' '}
                {s.error.name}: {s.error.message}
              </span>
            )}
            <button
              type="button"
              className="button button--small"
              disabled={!canRun}
              onClick={() => void openItemAsRun(r.id, s.mode === 'guided' ? s.alpha : null)}
              aria-label={`Open ${r.id} as a run at ${rowLabel(s)}`}
            >
              Open as run
            </button>
          </p>
          <pre className="eval-output__text">{s.text}</pre>
        </div>
      ))}
    </div>
  );
}

/** Every item of the run: a verdict per mode and α, and the outputs in full on demand. */
export function EvalItems() {
  const current = useApp((s) => s.eval.current);
  const open = useApp((s) => s.eval.openItem);
  const canRun = useApp(
    (s) => s.eval.status === 'idle' && s.load.status === 'loaded' && s.run.status === 'idle',
  );
  const error = useApp((s) => s.eval.error);
  if (!current) return null;
  const columns = current.records[0]?.results ?? [];
  return (
    <section className="panel" aria-labelledby="eval-items-heading">
      <h2 id="eval-items-heading">Items</h2>
      {error && (
        <p className="message message--error" role="alert">
          {error}
        </p>
      )}
      {current.records.length === 0 ? (
        <p className="hint">Finished items appear here.</p>
      ) : (
        <table className="eval-table eval-items" aria-label="Items">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Answer</th>
              {columns.map((c) => (
                <th scope="col" key={rowLabel(c)}>
                  {rowLabel(c)}
                </th>
              ))}
              <th scope="col">
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {current.records.map((r) => (
              <ItemRow key={r.id} r={r} open={open === r.id} canRun={canRun} span={columns.length + 3} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ItemRow({ r, open, canRun, span }: { r: ItemRecord; open: boolean; canRun: boolean; span: number }) {
  return (
    <>
      <tr data-item-id={r.id}>
        <th scope="row" className="eval-items__id">
          {r.id}
        </th>
        <td>{r.answer}</td>
        {r.results.map((s) => (
          <td key={rowLabel(s)}>
            <Verdict s={s} /> <code className="eval-items__extracted">{s.extracted ?? '—'}</code>
          </td>
        ))}
        <td>
          <button
            type="button"
            className="button button--small"
            aria-expanded={open}
            onClick={() => toggleItem(r.id)}
            aria-label={`Details of ${r.id}`}
          >
            {open ? 'Hide' : 'Details'}
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={span}>
            <ItemDetail r={r} canRun={canRun} />
          </td>
        </tr>
      )}
    </>
  );
}
