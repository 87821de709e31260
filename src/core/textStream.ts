/**
 * Incremental detokenisation (the HF "prefix offset / read offset" technique).
 *
 * Byte-level BPE tokens can split a UTF-8 character, so decoding one token at a time would
 * emit U+FFFD. Instead we decode a small window: ids[prefix..read) is text already emitted,
 * ids[prefix..end) is that plus the new tokens. The difference is the delta; a trailing U+FFFD
 * run (an incomplete sequence) is held back until the character completes. Decoding with the prefix as
 * context also keeps decoders that strip a leading space from dropping real spaces.
 */

const REPLACEMENT = 0xfffd;
/**
 * Cap on tokens held in one window, bounding the per-token decode cost. Valid text reaches it
 * only if this many consecutive tokens all end inside a character, which real tokenizers don't do.
 */
const MAX_HELD = 64;

function trailingReplacements(s: string): number {
  let n = 0;
  while (n < s.length && s.charCodeAt(s.length - 1 - n) === REPLACEMENT) n++;
  return n;
}

export class TextStream {
  private readonly decode: (ids: number[]) => string;
  private readonly all: number[] = [];
  private prefix = 0;
  private read = 0;
  /** Characters of the current window's new text already emitted (complete characters before a held tail). */
  private partial = 0;
  private emitted = '';

  constructor(decode: (ids: number[]) => string) {
    this.decode = decode;
  }

  /** Adds one token; returns the newly stable text ('' while only an incomplete character is new). */
  push(id: number): string {
    this.all.push(id);
    return this.advance(false);
  }

  /** Emits whatever is held back (at the end of generation), even if it ends in U+FFFD. */
  flush(): string {
    return this.advance(true);
  }

  /** Everything emitted so far (the concatenation of all deltas). */
  get text(): string {
    return this.emitted;
  }

  get ids(): readonly number[] {
    return this.all;
  }

  private advance(force: boolean): string {
    if (this.read === this.all.length) return '';
    const before = this.decode(this.all.slice(this.prefix, this.read));
    const now = this.decode(this.all.slice(this.prefix));
    // `before` is normally a prefix of `now`: prefix..read ended on a character boundary.
    const fresh = now.startsWith(before)
      ? now.slice(before.length)
      : now.slice(Math.min(before.length, now.length));
    const held = trailingReplacements(fresh);
    let delta: string;
    if (held === 0 || force || this.all.length - this.read >= MAX_HELD) {
      // Window complete: emit the rest and start the next window here.
      delta = fresh.slice(this.partial);
      this.prefix = this.read;
      this.read = this.all.length;
      this.partial = 0;
    } else {
      // Complete characters before the incomplete tail are final already: emit them now.
      const stable = fresh.length - held;
      delta = stable > this.partial ? fresh.slice(this.partial, stable) : '';
      this.partial = Math.max(this.partial, stable);
    }
    this.emitted += delta;
    return delta;
  }
}
