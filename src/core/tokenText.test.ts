import { describe, expect, it } from 'vitest';
import { flowingTokenText, visibleTokenText } from './tokenText';

describe('visibleTokenText', () => {
  it('shows whitespace and controls', () => {
    expect(visibleTokenText(' the')).toBe('␣the');
    expect(visibleTokenText('\n\t')).toBe('↵⇥');
    expect(visibleTokenText('a\u0000b\u001b')).toBe('a\\x00b\\x1b');
    expect(visibleTokenText('')).toBe('∅');
    expect(visibleTokenText('é😀')).toBe('é😀');
  });
});

describe('flowingTokenText', () => {
  it('keeps spaces, marks newlines and escapes controls', () => {
    expect(flowingTokenText(' a\nb')).toBe(' a↵\nb');
    expect(flowingTokenText('\u0000')).toBe('\\x00');
    expect(flowingTokenText('')).toBe('');
  });
});
