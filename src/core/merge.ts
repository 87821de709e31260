/**
 * ProxyThinker logit arithmetic: z = z_base + α·(z_expert − z_amateur).
 * Runs once per generated token over the whole vocabulary, so it writes into a
 * caller-owned buffer and never allocates.
 */

export type GuidanceMode = 'guided' | 'base' | 'expert' | 'base+expert';

export const GUIDANCE_MODES: readonly GuidanceMode[] = ['guided', 'base', 'expert', 'base+expert'];

export interface ModelNeeds {
  base: boolean;
  expert: boolean;
  amateur: boolean;
}

/** Which models must run a forward pass for a mode (the others can stay idle). */
export function modelsForMode(mode: GuidanceMode): ModelNeeds {
  switch (mode) {
    case 'guided':
      return { base: true, expert: true, amateur: true };
    case 'base':
      return { base: true, expert: false, amateur: false };
    case 'expert':
      return { base: false, expert: true, amateur: false };
    case 'base+expert':
      return { base: true, expert: true, amateur: false };
  }
}

function need(name: string, buf: Float32Array | null, vocab: number, mode: GuidanceMode): Float32Array {
  if (buf === null) throw new Error(`mergeLogits: mode '${mode}' needs ${name} logits, got null`);
  if (buf.length < vocab) {
    throw new Error(`mergeLogits: ${name} logits have ${buf.length} entries, fewer than vocab ${vocab}`);
  }
  return buf;
}

/**
 * Writes the merged logits for ids [0, vocab) into `out` and returns it.
 * Inputs may be longer than `vocab` (padded lm_head rows); the extra entries are ignored.
 * Float32 arithmetic step by step (α too, as torch and the SIMD kernel in ./mergeKernel.ts round it),
 * so this and the kernel give the same bits.
 * `out` may alias `base` (each index is read before it is written).
 * (`?? NaN` only satisfies noUncheckedIndexedAccess: every i < vocab ≤ length was checked.)
 */
export function mergeLogits(
  out: Float32Array,
  vocab: number,
  mode: GuidanceMode,
  alpha: number,
  base: Float32Array | null,
  expert: Float32Array | null,
  amateur: Float32Array | null,
): Float32Array {
  if (!Number.isInteger(vocab) || vocab < 0)
    throw new Error(`mergeLogits: vocab must be a non-negative integer, got ${vocab}`);
  if (out.length < vocab)
    throw new Error(`mergeLogits: out has ${out.length} entries, fewer than vocab ${vocab}`);
  if ((mode === 'guided' || mode === 'base+expert') && !Number.isFinite(alpha)) {
    throw new Error(`mergeLogits: alpha must be a finite number, got ${alpha}`);
  }
  switch (mode) {
    case 'guided': {
      const b = need('base', base, vocab, mode);
      const e = need('expert', expert, vocab, mode);
      const a = need('amateur', amateur, vocab, mode);
      const af = Math.fround(alpha);
      for (let i = 0; i < vocab; i++) out[i] = (b[i] ?? NaN) + Math.fround(af * Math.fround((e[i] ?? NaN) - (a[i] ?? NaN)));
      return out;
    }
    case 'base': {
      const b = need('base', base, vocab, mode);
      out.set(b.subarray(0, vocab)); // memcpy; a view, not a copy
      return out;
    }
    case 'expert': {
      const e = need('expert', expert, vocab, mode);
      out.set(e.subarray(0, vocab));
      return out;
    }
    case 'base+expert': {
      const b = need('base', base, vocab, mode);
      const e = need('expert', expert, vocab, mode);
      const af = Math.fround(alpha);
      for (let i = 0; i < vocab; i++) out[i] = (b[i] ?? NaN) + Math.fround(af * (e[i] ?? NaN));
      return out;
    }
  }
}
