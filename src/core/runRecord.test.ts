import { describe, expect, it } from 'vitest';
import { addAlphaChange, alphaMarkers, timeToFirstToken, tokensPerSecond } from './runRecord';

describe('addAlphaChange', () => {
  it('keeps the last change per token index, sorted', () => {
    let c = addAlphaChange([], { fromIndex: 5, alpha: 0.6 });
    c = addAlphaChange(c, { fromIndex: 2, alpha: 0.7 });
    c = addAlphaChange(c, { fromIndex: 5, alpha: 0.9 });
    expect(c).toEqual([
      { fromIndex: 2, alpha: 0.7 },
      { fromIndex: 5, alpha: 0.9 },
    ]);
  });
  it('does not modify its input', () => {
    const a = [{ fromIndex: 1, alpha: 1 }];
    addAlphaChange(a, { fromIndex: 1, alpha: 2 });
    expect(a).toEqual([{ fromIndex: 1, alpha: 1 }]);
  });
});

describe('alphaMarkers', () => {
  it('drops changes back to the value in effect', () => {
    expect(
      alphaMarkers(0.5, [
        { fromIndex: 3, alpha: 0.5 },
        { fromIndex: 4, alpha: 1 },
        { fromIndex: 9, alpha: 1 },
        { fromIndex: 12, alpha: 0.25 },
      ]),
    ).toEqual([
      { fromIndex: 4, from: 0.5, to: 1 },
      { fromIndex: 12, from: 1, to: 0.25 },
    ]);
  });
  it('is empty without changes', () => {
    expect(alphaMarkers(0.5, [])).toEqual([]);
  });
});

describe('speed figures', () => {
  it('time to first token', () => {
    expect(timeToFirstToken(null, 5)).toBeNull();
    expect(timeToFirstToken(100, null)).toBeNull();
    expect(timeToFirstToken(100, 350)).toBe(250);
  });
  it('tokens per second counts intervals after the first token', () => {
    expect(tokensPerSecond(1, 0, 0)).toBeNull();
    expect(tokensPerSecond(11, 1000, 2000)).toBe(10);
    expect(tokensPerSecond(3, 1000, 1000)).toBeNull();
    expect(tokensPerSecond(3, null, 1000)).toBeNull();
  });
});
