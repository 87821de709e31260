import './styles/inspector.css';
import { guidanceFlipped, guidanceShift } from '../core/guidance';
import type { ModelRole } from '../core/presets';
import { visibleTokenText } from '../core/tokenText';
import { selectToken } from '../state/inspectorActions';
import { useApp } from '../state/store';
import { DistributionTable } from './DistributionTable';
import { formatAlpha, formatProb } from './format';

const DISTRIBUTIONS: { key: ModelRole | 'merged'; title: string }[] = [
  { key: 'base', title: 'Base' },
  { key: 'expert', title: 'Expert' },
  { key: 'amateur', title: 'Amateur' },
  { key: 'merged', title: 'Merged (guided)' },
];

/** The top-5 of base, expert, amateur and merged at the hovered or selected token. */
export function TokenInspector() {
  const ref = useApp((s) => s.ui.hovered ?? s.ui.selected);
  const pinned = useApp((s) => s.ui.selected !== null && s.ui.hovered === null);
  const token = useApp((s) => {
    const r = s.ui.hovered ?? s.ui.selected;
    return r ? s.run.view.byName[r.stream]?.tokens[r.index] : undefined;
  });
  const inspect = token?.inspect;
  const shift = inspect && token ? guidanceShift(inspect, token.id) : null;
  return (
    <section className="panel inspector" aria-labelledby="inspector-heading" data-testid="inspector">
      <div className="inspector__head">
        <h2 id="inspector-heading">Token inspector</h2>
        {pinned && (
          <button
            type="button"
            className="button button--small button--quiet"
            onClick={() => selectToken(null)}
          >
            Clear selection
          </button>
        )}
      </div>
      {!token || !ref ? (
        <p className="hint">
          Switch the Guided pane to Tokens, then hover a token or select it (click, or focus the tokens and
          use the arrow keys) to compare the four distributions.
        </p>
      ) : (
        <>
          <p className="inspector__token" aria-live="polite">
            <span>
              {ref.stream} token {token.index}:{' '}
              <code className="inspector__text">{visibleTokenText(token.text)}</code>{' '}
              <span className="hint-inline">id {token.id}</span>
            </span>
            <span>α {formatAlpha(token.alpha)}</span>
            {inspect && (
              <span className={guidanceFlipped(inspect) ? 'flag flag--flipped' : 'flag'}>
                {guidanceFlipped(inspect)
                  ? 'guidance changed the base model’s top choice'
                  : 'same top choice as base'}
              </span>
            )}
            {shift && (
              <span>
                |p<sub>merged</sub> − p<sub>base</sub>| of the chosen token: {shift.exact ? '' : '≈ '}
                {formatProb(shift.shift)}
              </span>
            )}
          </p>
          {inspect ? (
            <div className="dists">
              {DISTRIBUTIONS.map((d) => (
                <DistributionTable key={d.key} title={d.title} entries={inspect[d.key]} chosenId={token.id} />
              ))}
            </div>
          ) : (
            <p className="hint">
              No distributions for this token: the engine reports the top-k for the guided stream only.
            </p>
          )}
        </>
      )}
    </section>
  );
}
