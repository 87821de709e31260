import type { TopEntry } from '../core/protocol';
import { visibleTokenText } from '../core/tokenText';
import { formatProb } from './format';

/** One model's top-k at a token, the chosen token highlighted. */
export function DistributionTable({
  title,
  entries,
  chosenId,
}: {
  title: string;
  entries: TopEntry[];
  chosenId: number;
}) {
  return (
    <table className="dist" data-testid={`dist-${title.split(' ')[0]?.toLowerCase()}`}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Token</th>
          <th scope="col">Probability</th>
        </tr>
      </thead>
      <tbody>
        {entries.length === 0 ? (
          <tr>
            <td colSpan={3} className="hint">
              not computed
            </td>
          </tr>
        ) : (
          entries.map((e, i) => (
            <tr key={e.id} className={e.id === chosenId ? 'dist__chosen' : undefined}>
              <td>{i + 1}</td>
              <td>
                <code>{visibleTokenText(e.text)}</code>
                <span className="hint-inline"> {e.id}</span>
                {e.id === chosenId && <span className="visually-hidden"> (chosen)</span>}
              </td>
              <td>
                <span className="prob">
                  <span
                    className="prob__bar"
                    style={{ width: `${Math.max(0, Math.min(1, e.prob)) * 100}%` }}
                    aria-hidden="true"
                  />
                  <span className="prob__text">{formatProb(e.prob)}</span>
                </span>
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
