import { useMemo } from 'react';
import { accuracyPlotSvg, rowLabel } from '../../core/eval/report';
import { summarize } from '../../core/eval/summary';
import { exportEval } from '../../state/evalActions';
import { useApp } from '../../state/store';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Accuracy per mode and α as the run goes, the plot over α, and the exports. */
export function EvalResults() {
  const current = useApp((s) => s.eval.current);
  const records = current?.records;
  const summary = useMemo(() => summarize(records ?? []), [records]);
  const plot = useMemo(
    () => accuracyPlotSvg(summary, current ? `Accuracy vs α — ${current.meta.set.name}` : 'Accuracy vs α'),
    [summary, current],
  );
  if (!current) return null;
  return (
    <section className="panel" aria-labelledby="eval-results-heading">
      <div className="row eval-results__head">
        <h2 id="eval-results-heading">Accuracy</h2>
        <span className="hint">
          {current.meta.trio.label} ({current.meta.trio.backend}) · greedy ·{' '}
          {current.meta.settings.maxNewTokens} tokens at most · {current.meta.settings.resolution} resolution
        </span>
        <div className="row eval-exports">
          {(['json', 'md', 'csv'] as const).map((f) => (
            <button
              key={f}
              type="button"
              className="button button--small"
              disabled={!records?.length}
              onClick={() => exportEval(f)}
            >
              Export {f === 'md' ? 'Markdown' : f.toUpperCase()}
            </button>
          ))}
        </div>
      </div>
      <table className="eval-table" aria-label="Accuracy per mode and α">
        <thead>
          <tr>
            <th scope="col">Mode</th>
            <th scope="col">n</th>
            <th scope="col">Correct</th>
            <th scope="col">Accuracy</th>
            <th scope="col">95 % interval</th>
          </tr>
        </thead>
        <tbody>
          {summary.results.map((r) => (
            <tr key={rowLabel(r)} data-mode={r.mode} data-alpha={r.alpha ?? ''}>
              <th scope="row">{rowLabel(r)}</th>
              <td>{r.n}</td>
              <td>{r.correct}</td>
              <td>{pct(r.accuracy)}</td>
              <td>
                {pct(r.ci95[0])} – {pct(r.ci95[1])}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {summary.best_alpha !== null && (
        <p className="hint">
          Best α so far: {summary.best_alpha}
          {summary.best_gain !== null &&
            ` (${summary.best_gain >= 0 ? '+' : ''}${(summary.best_gain * 100).toFixed(1)} points over base)`}
          .
        </p>
      )}
      <img
        className="eval-plot"
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(plot)}`}
        alt="Accuracy over α with 95 % intervals; the base model as a dashed line"
      />
      <p className="hint">
        With the generated test models (random weights) accuracy means nothing; the pipeline is what runs.
      </p>
    </section>
  );
}
