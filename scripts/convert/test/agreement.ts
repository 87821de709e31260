/** How far a quantized conversion's next-token distributions are from fp32's, over the shared ids. */
export interface Agreement {
  /** Positions where both pick the same most likely token. */
  top1: number;
  /** Mean KL(p_fp32 ‖ p_quantized) in nats. */
  meanKl: number;
  positions: number;
}

export function agreement(ref: Float32Array, other: Float32Array, rows: number, vocab: number, shared: number): Agreement {
  let same = 0;
  let kl = 0;
  for (let r = 0; r < rows; r++) {
    const a = ref.subarray(r * vocab, r * vocab + shared);
    const b = other.subarray(r * vocab, r * vocab + shared);
    const pa = softmax(a);
    const pb = softmax(b);
    if (argmax(a) === argmax(b)) same++;
    for (let i = 0; i < shared; i++) {
      const p = pa[i] ?? 0;
      if (p > 0) kl += p * (Math.log(p) - Math.log(Math.max(pb[i] ?? 0, 1e-30)));
    }
  }
  return { top1: same / rows, meanKl: kl / rows, positions: rows };
}

function softmax(v: Float32Array): Float64Array {
  let m = -Infinity;
  for (const x of v) m = Math.max(m, x);
  const out = new Float64Array(v.length);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += out[i] = Math.exp((v[i] ?? 0) - m);
  for (let i = 0; i < v.length; i++) out[i] = (out[i] ?? 0) / s;
  return out;
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] ?? -Infinity) > (v[best] ?? -Infinity)) best = i;
  return best;
}
