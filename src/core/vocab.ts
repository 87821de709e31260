/**
 * Vocabulary alignment for a trio. The three models must share one tokenizer, but
 * their lm_heads may be padded to different row counts (e.g. 151,936 vs 152,064):
 * only the tokenizer's ids are ever merged and sampled; padding rows are ignored.
 */

export interface LmHeadInfo {
  name: string;
  rows: number;
}

/** The id count all three logit vectors are merged over; throws if any lm_head is too small. */
export function sharedVocabSize(tokenizerSize: number, lmHeads: LmHeadInfo[]): number {
  if (!Number.isInteger(tokenizerSize) || tokenizerSize <= 0) {
    throw new Error(`Tokenizer size must be a positive integer, got ${tokenizerSize}`);
  }
  const short = lmHeads.filter((h) => !(h.rows >= tokenizerSize));
  if (short.length > 0) {
    const list = short.map((h) => `${h.name} (${h.rows} rows)`).join(', ');
    throw new Error(
      `lm_head too small for the tokenizer's ${tokenizerSize} ids: ${list}. ` +
        'Every model must produce a logit for every token id.',
    );
  }
  return tokenizerSize;
}

// FNV-1a 64-bit, kept as two unsigned 32-bit halves because JS numbers hold only 53 bits.
// prime = 2^40 + 0x1b3, so h·prime = h·0x1b3 + (h << 40).
const FNV_PRIME_LO = 0x1b3;
const TWO_32 = 0x1_0000_0000;

class Fnv1a64 {
  hi = 0xcbf29ce4;
  lo = 0x84222325;

  byte(b: number): void {
    const lo = (this.lo ^ b) >>> 0;
    const p = lo * FNV_PRIME_LO; // < 2^41: exact in a double
    this.lo = p >>> 0;
    this.hi = (Math.imul(this.hi, FNV_PRIME_LO) + Math.floor(p / TWO_32) + (lo << 8)) >>> 0;
  }

  bytes(buf: Uint8Array, n: number): void {
    for (let i = 0; i < n; i++) this.byte(buf[i] ?? 0);
  }

  u32(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >>> 8) & 0xff);
    this.byte((v >>> 16) & 0xff);
    this.byte((v >>> 24) & 0xff);
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** FNV-1a 64 of raw bytes as 16 hex digits (exposed so the hash can be checked against known vectors). */
export function fnv1a64Hex(bytes: Uint8Array): string {
  const h = new Fnv1a64();
  h.bytes(bytes, bytes.length);
  return h.hex();
}

/**
 * Deterministic fingerprint of a tokenizer: `<count>:<fnv1a64>` over the id-ordered token
 * strings. Each token is hashed as its UTF-8 byte length then its bytes, so boundaries
 * count (["ab","c"] ≠ ["a","bc"]).
 */
export function tokenizerFingerprint(tokens: ReadonlyArray<string>): string {
  const h = new Fnv1a64();
  const enc = new TextEncoder();
  let buf = new Uint8Array(256);
  for (const tok of tokens) {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (buf.length < tok.length * 3) buf = new Uint8Array(tok.length * 3);
    const { written } = enc.encodeInto(tok, buf);
    h.u32(written);
    h.bytes(buf, written);
  }
  return `${tokens.length}:${h.hex()}`;
}

export interface TokenizerInfo {
  name: string;
  fingerprint: string;
  size: number;
  /** The model's family (model_type), named in the message: trios may mix families only with one tokenizer. */
  family?: string;
}

export class TokenizerMismatchError extends Error {
  override name = 'TokenizerMismatchError';
  /** The reference (first) model's name, then the names of the models that differ from it. */
  readonly models: string[];

  constructor(message: string, models: string[]) {
    super(message);
    this.models = models;
  }
}

function describeTokenizer(m: TokenizerInfo): string {
  const fp = m.fingerprint.length > 24 ? `${m.fingerprint.slice(0, 24)}…` : m.fingerprint;
  return `${m.name} (${m.family ? `${m.family}, ` : ''}size ${m.size}, fp ${fp})`;
}

/** Throws TokenizerMismatchError naming every model whose tokenizer differs from the first one. */
export function assertSameTokenizer(models: TokenizerInfo[]): void {
  const [ref, ...rest] = models;
  if (ref === undefined) return;
  const differ = rest.filter((m) => m.size !== ref.size || m.fingerprint !== ref.fingerprint);
  if (differ.length === 0) return;
  throw new TokenizerMismatchError(
    `Tokenizers differ: ${describeTokenizer(ref)} vs ${differ.map(describeTokenizer).join(', ')}. ` +
      'A trio must share one tokenizer.',
    [ref.name, ...differ.map((m) => m.name)],
  );
}

/**
 * Which models of a trio a failed check blames (their indices): the tokenizers outside the largest
 * agreeing group (all of them when no two agree), else the lm_heads with fewer rows than the shared
 * tokenizer has ids. The others were not at fault and may stay loaded for a retry.
 */
export function modelsAtFault(models: readonly (TokenizerInfo & { rows: number })[]): number[] {
  const key = (m: TokenizerInfo) => `${m.size}:${m.fingerprint}`;
  const groups = new Map<string, number>();
  for (const m of models) groups.set(key(m), (groups.get(key(m)) ?? 0) + 1);
  const largest = Math.max(0, ...groups.values());
  const all = models.map((_, i) => i);
  if (groups.size > 1) {
    if (largest < 2) return all;
    const agreed = [...groups].find(([, n]) => n === largest)?.[0];
    return all.filter((i) => key(models[i] as TokenizerInfo) !== agreed);
  }
  return all.filter((i) => !((models[i]?.rows ?? 0) >= (models[i]?.size ?? 0)));
}
