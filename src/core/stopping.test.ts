import { describe, expect, it } from 'vitest';
import { StopChecker, trimStopString } from './stopping';

describe('StopChecker', () => {
  it('stops on any eos id', () => {
    const c = new StopChecker({ eosIds: [151645, 151643], maxNewTokens: 100 });
    expect(c.check(5, 1, 'a')).toBeNull();
    expect(c.check(151643, 2, 'a')).toBe('eos');
    expect(c.check(151645, 3, 'a')).toBe('eos');
  });

  it('stops when the token budget is reached', () => {
    const c = new StopChecker({ eosIds: [0], maxNewTokens: 3 });
    expect(c.check(1, 1, 'x')).toBeNull();
    expect(c.check(1, 2, 'xx')).toBeNull();
    expect(c.check(1, 3, 'xxx')).toBe('max_tokens');
  });

  it('eos wins over the budget, a stop string over the budget', () => {
    expect(new StopChecker({ eosIds: [9], maxNewTokens: 1 }).check(9, 1, '')).toBe('eos');
    expect(new StopChecker({ eosIds: [9], maxNewTokens: 1, stopStrings: ['END'] }).check(1, 1, 'END')).toBe(
      'stop_string',
    );
  });

  it('finds a stop string split across tokens and reports where it starts', () => {
    const c = new StopChecker({ eosIds: [], maxNewTokens: 100, stopStrings: ['</answer>'] });
    let text = '';
    const pieces = ['<answer>42', '</ans', 'wer', '> trailing'];
    const reasons = pieces.map((p, i) => {
      text += p;
      return c.check(10 + i, i + 1, text);
    });
    expect(reasons).toEqual([null, null, null, 'stop_string']);
    expect(c.stopIndex).toBe('<answer>42'.length);
  });

  it('reports only new matches: an old occurrence does not fire again', () => {
    const c = new StopChecker({ eosIds: [], maxNewTokens: 100, stopStrings: ['ab', 'wxyz'] });
    expect(c.check(1, 1, 'xxab')).toBe('stop_string');
    expect(c.check(1, 2, 'xxabc')).toBeNull();
    expect(c.check(1, 3, 'xxabcd')).toBeNull();
    expect(c.check(1, 4, 'xxabcdab')).toBe('stop_string');
    expect(c.stopIndex).toBe(6);
  });

  it('searches only the unscanned tail, not the whole text', () => {
    const c = new StopChecker({ eosIds: [], maxNewTokens: 10_000, stopStrings: ['STOP'] });
    const prefix = 'x'.repeat(1000);
    expect(c.check(1, 1, prefix)).toBeNull();
    // Same length, but a stop string planted inside the already-scanned region: a checker
    // that rescanned everything would report it; this one only looks at the new tail.
    const planted = 'STOP' + prefix.slice(4);
    expect(c.check(1, 2, planted + 'y')).toBeNull();
    expect(c.check(1, 3, planted + 'yST')).toBeNull();
    expect(c.check(1, 4, planted + 'ySTOP')).toBe('stop_string');
    expect(c.stopIndex).toBe(1001);
  });

  it('ignores empty stop strings and restarts on a shorter text or reset()', () => {
    const c = new StopChecker({ eosIds: [], maxNewTokens: 100, stopStrings: ['', 'Q'] });
    expect(c.check(1, 1, 'abc')).toBeNull();
    expect(c.check(1, 2, 'Q')).toBe('stop_string'); // shorter text: a new generation
    c.reset();
    expect(c.stopIndex).toBe(-1);
    expect(c.check(1, 1, 'xQ')).toBe('stop_string');
  });

  it('rejects a non-positive budget', () => {
    expect(() => new StopChecker({ eosIds: [], maxNewTokens: 0 })).toThrow(/maxNewTokens/);
    expect(() => new StopChecker({ eosIds: [], maxNewTokens: 1.5 })).toThrow(/maxNewTokens/);
  });
});

describe('trimStopString', () => {
  it('cuts at the earliest stop string occurrence', () => {
    expect(trimStopString('The answer is 4.</answer><|im_end|>', ['<|im_end|>', '</answer>'])).toBe(
      'The answer is 4.',
    );
    expect(trimStopString('no stops here', ['STOP'])).toBe('no stops here');
    expect(trimStopString('aSTOPbSTOP', ['STOP'])).toBe('a');
    expect(trimStopString('abc', ['', 'c'])).toBe('ab');
  });
});
