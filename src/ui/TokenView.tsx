import { useMemo, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { StreamName } from '../core/protocol';
import { alphaMarkers, type AlphaMarker, type TokenRecord } from '../core/runRecord';
import { hoverToken, selectToken } from '../state/inspectorActions';
import { useApp } from '../state/store';
import { TokenSpan, tokenElementId } from './TokenSpan';

const NO_TOKENS: TokenRecord[] = [];

function indexAt(target: EventTarget): number | null {
  const el = target instanceof Element ? target.closest<HTMLElement>('[data-index]') : null;
  const i = el ? Number(el.dataset.index) : NaN;
  return Number.isInteger(i) ? i : null;
}

/**
 * One span per token (a listbox: click or arrow keys select, hover previews). Guided tokens whose
 * top choice guidance changed are marked; α changes are marked at their first token, and a VisionThink
 * escalation after the token that closed the resize_image call.
 */
export function TokenView({ stream, label }: { stream: StreamName; label: string }) {
  const tokens = useApp((s) => s.run.view.byName[stream]?.tokens ?? NO_TOKENS);
  const selected = useApp((s) => (s.ui.selected?.stream === stream ? s.ui.selected.index : null));
  const colour = useApp((s) => s.ui.colourByStrength);
  const initial = useApp((s) => s.run.view.initialAlpha);
  const changes = useApp((s) => s.run.view.alphaChanges);
  const escalation = useApp((s) => (s.run.view.escalation?.stream === stream ? s.run.view.escalation : null));
  const markers = useMemo(
    () =>
      new Map<number, AlphaMarker>(
        stream === 'guided' ? alphaMarkers(initial, changes).map((m) => [m.fromIndex, m]) : [],
      ),
    [stream, initial, changes],
  );

  const move = (to: number) => {
    if (tokens.length === 0) return;
    const i = Math.max(0, Math.min(tokens.length - 1, to));
    hoverToken(null); // the keyboard takes over from the mouse
    selectToken({ stream, index: i });
    document.getElementById(tokenElementId(stream, i))?.scrollIntoView({ block: 'nearest' });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, () => void> = {
      ArrowRight: () => move((selected ?? -1) + 1),
      ArrowDown: () => move((selected ?? -1) + 1),
      ArrowLeft: () => move((selected ?? tokens.length) - 1),
      ArrowUp: () => move((selected ?? tokens.length) - 1),
      Home: () => move(0),
      End: () => move(tokens.length - 1),
    };
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    } else if (e.key === 'Escape' && selected !== null) {
      e.preventDefault(); // clears the selection instead of stopping the run
      selectToken(null);
    }
  };
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const i = indexAt(e.target);
    if (i !== null) selectToken({ stream, index: i });
  };
  // Only a pointer that really moved previews a token: the browser's synthetic moves after a
  // scroll or re-render must not take the inspector back from the keyboard.
  const pointer = useRef({ x: NaN, y: NaN });
  const onMouseMove = (e: MouseEvent<HTMLDivElement>) => {
    if (pointer.current.x === e.clientX && pointer.current.y === e.clientY) return;
    pointer.current = { x: e.clientX, y: e.clientY };
    const i = indexAt(e.target);
    hoverToken(i === null ? null : { stream, index: i });
  };

  return (
    <div
      className="token-view"
      role="listbox"
      tabIndex={0}
      aria-label={`${label} tokens`}
      aria-activedescendant={selected !== null ? tokenElementId(stream, selected) : undefined}
      onKeyDown={onKeyDown}
      onClick={onClick}
      onMouseMove={onMouseMove}
      onMouseLeave={() => {
        pointer.current = { x: NaN, y: NaN };
        hoverToken(null);
      }}
    >
      {tokens.map((t) => (
        <TokenSpan
          key={t.index}
          token={t}
          stream={stream}
          selected={selected === t.index}
          colour={colour}
          marker={markers.get(t.index)}
          escalation={escalation?.atIndex === t.index ? escalation : undefined}
        />
      ))}
    </div>
  );
}
