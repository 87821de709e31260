import { describe, expect, it } from 'vitest';
import { TextStream } from './textStream';
import { createRng } from './sampling';

const utf8 = (s: string): number[] => Array.from(new TextEncoder().encode(s));
/** Fake byte-level tokenizer: id = byte value. */
const byteDecode = (ids: number[]): string => new TextDecoder().decode(Uint8Array.from(ids));

function stream(
  decode: (ids: number[]) => string,
  ids: number[],
): { deltas: string[]; final: string; s: TextStream } {
  const s = new TextStream(decode);
  const deltas = ids.map((id) => s.push(id));
  const final = s.flush();
  return { deltas, final, s };
}

const SAMPLES = [
  'plain ASCII text',
  'emoji 👍🏽 and family 👨‍👩‍👧‍👦 and flag 🇯🇵',
  '中文测试：你好，世界！日本語のテキスト',
  'combining: e\u0301 a\u0308 n\u0303 — Zalgo z\u0351\u0357a\u0346\u0300',
  'mixed 🚀 数学 x² ≤ ∑ aᵢ, Ελληνικά, العربية, עברית',
];

describe('TextStream with a byte-level decoder', () => {
  for (const sample of SAMPLES) {
    it(`reassembles exactly without U+FFFD: ${sample.slice(0, 24)}`, () => {
      const ids = utf8(sample);
      const { deltas, final, s } = stream(byteDecode, ids);
      expect(deltas.join('') + final).toBe(sample);
      expect(s.text).toBe(sample);
      expect(s.ids).toEqual(ids);
      for (const d of [...deltas, final]) expect(d).not.toContain('\uFFFD');
    });
  }

  it('holds back exactly until a multi-byte character completes', () => {
    const { deltas } = stream(byteDecode, utf8('a€b'));
    expect(deltas).toEqual(['a', '', '', '€', 'b']); // € is 3 bytes
  });

  it('emits ASCII immediately, one character per token', () => {
    expect(stream(byteDecode, utf8('hey')).deltas).toEqual(['h', 'e', 'y']);
  });

  it('emits complete characters before a held tail without waiting for the window to close', () => {
    // Tokens: "a" + first byte of €, rest of € + first byte of 你, rest of 你.
    const euro = utf8('€');
    const ni = utf8('你');
    const table = [[0x61, ...euro.slice(0, 1)], [...euro.slice(1), ...ni.slice(0, 1)], ni.slice(1)];
    const decode = (ids: number[]): string => byteDecode(ids.flatMap((id) => table[id] ?? []));
    const { deltas, final } = stream(decode, [0, 1, 2]);
    expect(deltas).toEqual(['a', '€', '你']);
    expect(final).toBe('');
  });

  it('handles tokens that span and split characters (random 1–3 byte tokens)', () => {
    const rng = createRng(7);
    for (const sample of SAMPLES) {
      for (let trial = 0; trial < 200; trial++) {
        const bytes = utf8(sample);
        const table: number[][] = [];
        for (let i = 0; i < bytes.length;) {
          const len = 1 + Math.floor(rng() * 3);
          table.push(bytes.slice(i, i + len));
          i += len;
        }
        const decode = (ids: number[]): string => byteDecode(ids.flatMap((id) => table[id] ?? []));
        const { deltas, final } = stream(
          decode,
          table.map((_, i) => i),
        );
        expect(deltas.join('') + final).toBe(sample);
        for (const d of deltas) expect(d).not.toContain('\uFFFD');
      }
    }
  });

  it('passes invalid bytes through as U+FFFD without losing or repeating text', () => {
    const ids = [0x61, 0xff, 0x62];
    const { deltas, final } = stream(byteDecode, ids);
    expect(deltas.join('') + final).toBe(byteDecode(ids));
    const truncated = [0x61, 0xe4];
    const r = stream(byteDecode, truncated);
    expect(r.deltas).toEqual(['a', '']);
    expect(r.final).toBe('\uFFFD');
  });

  it('does not hold back forever on a run of invalid bytes', () => {
    const s = new TextStream(byteDecode);
    const out = Array.from({ length: 70 }, () => s.push(0xff)).join('');
    expect(out.length).toBeGreaterThan(0);
    expect(out + s.flush()).toBe('\uFFFD'.repeat(70));
  });

  it('flush is idempotent', () => {
    const s = new TextStream(byteDecode);
    s.push(0x61);
    expect(s.flush()).toBe('');
    expect(s.flush()).toBe('');
    expect(s.text).toBe('a');
  });
});

describe('TextStream with a space-stripping (SentencePiece-like) decoder', () => {
  const vocab = ['▁Hello', '▁world', ',', '▁how', '▁are', '▁you'];
  // Like SentencePiece: "▁" is a space, and the leading space of the whole decode is dropped.
  const decode = (ids: number[]): string =>
    ids
      .map((i) => vocab[i] ?? '')
      .join('')
      .replace(/▁/g, ' ')
      .replace(/^ /, '');

  it('keeps the spaces between words that per-token decoding would drop', () => {
    const ids = [0, 1, 2, 3, 4, 5];
    const { deltas, final } = stream(decode, ids);
    expect(deltas).toEqual(['Hello', ' world', ',', ' how', ' are', ' you']);
    expect(deltas.join('') + final).toBe('Hello world, how are you');
    expect(ids.map((i) => decode([i])).join('')).toBe('Helloworld,howareyou'); // the naive way
  });
});
