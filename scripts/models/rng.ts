/** Deterministic weights: the same seed gives the same bytes on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** String → 32-bit seed (FNV-1a), so each tensor has its own stream derived from the model seed. */
export function seedOf(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('/')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Uniform in [−a, a]·std·√3 so the variance is std². */
export function randomWeights(count: number, std: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(count);
  const a = std * Math.sqrt(3);
  for (let i = 0; i < count; i++) out[i] = (rand() * 2 - 1) * a;
  return out;
}
