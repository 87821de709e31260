import { describe, expect, it } from 'vitest';
import {
  TokenizerMismatchError,
  assertSameTokenizer,
  fnv1a64Hex,
  modelsAtFault,
  sharedVocabSize,
  tokenizerFingerprint,
} from './vocab';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sharedVocabSize', () => {
  it('returns the tokenizer id count even when lm_heads are padded differently', () => {
    expect(
      sharedVocabSize(151_665, [
        { name: 'base-7b', rows: 152_064 },
        { name: 'expert-3b', rows: 151_936 },
        { name: 'amateur-3b', rows: 151_936 },
      ]),
    ).toBe(151_665);
    expect(sharedVocabSize(420, [{ name: 'exact', rows: 420 }])).toBe(420);
  });

  it('names the model whose lm_head is smaller than the tokenizer', () => {
    expect(() =>
      sharedVocabSize(420, [
        { name: 'tiny-base', rows: 448 },
        { name: 'tiny-expert', rows: 419 },
      ]),
    ).toThrow(/tiny-expert \(419 rows\)/);
    expect(() => sharedVocabSize(420, [{ name: 'broken', rows: Number.NaN }])).toThrow(/broken/);
  });

  it('rejects a nonsensical tokenizer size', () => {
    expect(() => sharedVocabSize(0, [])).toThrow(/positive integer/);
    expect(() => sharedVocabSize(2.5, [])).toThrow(/positive integer/);
  });
});

describe('fnv1a64Hex', () => {
  it('matches the published FNV-1a 64-bit test vectors', () => {
    expect(fnv1a64Hex(utf8(''))).toBe('cbf29ce484222325');
    expect(fnv1a64Hex(utf8('a'))).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex(utf8('foobar'))).toBe('85944171f73967e8');
  });
});

describe('tokenizerFingerprint', () => {
  const toks = ['<|endoftext|>', 'Ġthe', 'ä½ł', '👍', 'a'];

  it('is deterministic and includes the count', () => {
    const fp = tokenizerFingerprint(toks);
    expect(fp).toBe(tokenizerFingerprint([...toks]));
    expect(fp).toMatch(/^5:[0-9a-f]{16}$/);
  });

  it('changes with order, content, boundaries and count', () => {
    const fp = tokenizerFingerprint(toks);
    const seen = new Set([
      fp,
      tokenizerFingerprint([...toks].reverse()),
      tokenizerFingerprint([...toks.slice(0, 4), 'b']),
      tokenizerFingerprint(toks.slice(0, 4)),
      tokenizerFingerprint(['ab', 'c']),
      tokenizerFingerprint(['a', 'bc']),
    ]);
    expect(seen.size).toBe(6);
  });

  it('handles tokens longer than the initial scratch buffer', () => {
    const long = 'x'.repeat(1000) + '€';
    expect(tokenizerFingerprint([long])).not.toBe(tokenizerFingerprint(['x'.repeat(1000)]));
  });
});

describe('assertSameTokenizer', () => {
  it('accepts identical tokenizers', () => {
    const fp = tokenizerFingerprint(['a', 'b']);
    expect(() =>
      assertSameTokenizer([
        { name: 'tiny-base', fingerprint: fp, size: 2 },
        { name: 'tiny-expert', fingerprint: fp, size: 2 },
        { name: 'tiny-amateur', fingerprint: fp, size: 2 },
      ]),
    ).not.toThrow();
    expect(() => assertSameTokenizer([])).not.toThrow();
  });

  it('throws TokenizerMismatchError naming the models that differ', () => {
    const a = tokenizerFingerprint(['a', 'b']);
    const b = tokenizerFingerprint(['a', 'b', 'c']);
    let err: unknown;
    try {
      assertSameTokenizer([
        { name: 'tiny-base', fingerprint: a, size: 420 },
        { name: 'tiny-expert', fingerprint: b, size: 421 },
        { name: 'tiny-amateur', fingerprint: a, size: 420 },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TokenizerMismatchError);
    expect(err).toBeInstanceOf(Error);
    if (!(err instanceof TokenizerMismatchError)) return;
    expect(err.name).toBe('TokenizerMismatchError');
    expect(err.message).toMatch(
      /^Tokenizers differ: tiny-base \(size 420, fp 2:[0-9a-f]{16}\) vs tiny-expert \(size 421/,
    );
    expect(err.message).toMatch(/A trio must share one tokenizer\.$/);
    expect(err.message).not.toMatch(/tiny-amateur/);
    expect(err.models).toEqual(['tiny-base', 'tiny-expert']);
  });

  it('flags a size difference even with equal fingerprints', () => {
    expect(() =>
      assertSameTokenizer([
        { name: 'x', fingerprint: 'same', size: 1 },
        { name: 'y', fingerprint: 'same', size: 2 },
      ]),
    ).toThrow(TokenizerMismatchError);
  });
});

describe('modelsAtFault', () => {
  const m = (name: string, fingerprint: string, size: number, rows = 1088) => ({
    name,
    fingerprint,
    size,
    rows,
  });
  it('blames the tokenizer outside the agreeing pair, whichever role it has', () => {
    expect(modelsAtFault([m('b', 'x', 10), m('e', 'y', 10), m('a', 'x', 10)])).toEqual([1]);
    expect(modelsAtFault([m('b', 'y', 11), m('e', 'x', 10), m('a', 'x', 10)])).toEqual([0]);
  });
  it('blames every model when no two tokenizers agree', () => {
    expect(modelsAtFault([m('b', 'x', 10), m('e', 'y', 10), m('a', 'z', 10)])).toEqual([0, 1, 2]);
  });
  it('with one tokenizer, blames the lm_heads smaller than it; none when all fit', () => {
    expect(
      modelsAtFault([m('b', 'x', 1050, 1152), m('e', 'x', 1050, 1040), m('a', 'x', 1050, 1088)]),
    ).toEqual([1]);
    expect(
      modelsAtFault([m('b', 'x', 1050, 1152), m('e', 'x', 1050, 1050), m('a', 'x', 1050, 1088)]),
    ).toEqual([]);
  });
});
