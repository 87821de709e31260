/** Deterministic weights: the same seed gives the same bytes on every machine (the engine's own mulberry32). */
import { createRng } from '../../src/core/sampling';

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
  const rand = createRng(seed);
  const out = new Float32Array(count);
  const a = std * Math.sqrt(3);
  for (let i = 0; i < count; i++) out[i] = (rand() * 2 - 1) * a;
  return out;
}
