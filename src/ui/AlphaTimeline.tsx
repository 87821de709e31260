import { useMemo } from 'react';
import { alphaMarkers } from '../core/runRecord';
import { revealToken } from '../state/inspectorActions';
import { useApp } from '../state/store';
import { formatAlpha } from './format';

/** Where α changed during the run; each entry jumps to that token. */
export function AlphaTimeline() {
  const initial = useApp((s) => s.run.view.initialAlpha);
  const changes = useApp((s) => s.run.view.alphaChanges);
  const markers = useMemo(() => alphaMarkers(initial, changes), [initial, changes]);
  if (markers.length === 0) return null;
  return (
    <ol className="alpha-timeline" aria-label="α changes">
      {markers.map((m) => (
        <li key={m.fromIndex}>
          <button
            type="button"
            className="chip"
            data-from-index={m.fromIndex}
            onClick={() => revealToken({ stream: 'guided', index: m.fromIndex })}
          >
            α {formatAlpha(m.from)} → {formatAlpha(m.to)} from token {m.fromIndex}
          </button>
        </li>
      ))}
    </ol>
  );
}
