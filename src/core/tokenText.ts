/**
 * Token text made visible for the token view and the inspector: whitespace and control characters
 * get printable stand-ins, so a newline, a space or a NUL byte is something one can point at.
 */

const NAMED: Readonly<Record<string, string>> = { '\n': '↵', '\r': '␍', '\t': '⇥', ' ': '␣' };

/** Every character visible: spaces as ␣, newlines as ↵, other control characters as \xNN. */
export function visibleTokenText(text: string): string {
  if (text === '') return '∅';
  let out = '';
  for (const ch of text) {
    const named = NAMED[ch];
    if (named) out += named;
    else {
      const c = ch.codePointAt(0) ?? 0;
      out += c < 0x20 || (c >= 0x7f && c < 0xa0) ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    }
  }
  return out;
}

/** For running text (token view): spaces stay spaces, newlines stay breaks after a ↵ mark, other controls become \xNN. */
export function flowingTokenText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\n') out += '↵\n';
    else if (ch === ' ' || ch === '\t') out += ch;
    else {
      const c = ch.codePointAt(0) ?? 0;
      out += c < 0x20 || (c >= 0x7f && c < 0xa0) ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    }
  }
  return out;
}
