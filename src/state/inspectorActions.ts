/** Which token the inspector shows, and how the panes display their tokens. */
import type { StreamName } from '../core/protocol';
import { patch, useApp, type PaneView, type TokenRef } from './store';

const same = (a: TokenRef | null, b: TokenRef | null) => a?.stream === b?.stream && a?.index === b?.index;

export function selectToken(ref: TokenRef | null): void {
  if (!same(useApp.getState().ui.selected, ref)) patch('ui', { selected: ref });
}

export function hoverToken(ref: TokenRef | null): void {
  if (!same(useApp.getState().ui.hovered, ref)) patch('ui', { hovered: ref });
}

export function setPaneView(stream: StreamName, view: PaneView): void {
  patch('ui', { paneView: { ...useApp.getState().ui.paneView, [stream]: view } });
}

export function setColourByStrength(on: boolean): void {
  patch('ui', { colourByStrength: on });
}

/** Shows a token in its pane's token view and selects it (from the α timeline). */
export function revealToken(ref: TokenRef): void {
  setPaneView(ref.stream, 'tokens');
  selectToken(ref);
}
