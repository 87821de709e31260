/**
 * Seeded random weights for any Qwen-VL description, as a WeightSource: the model factory builds its
 * generated models from it, and synthetic checkpoints (converter tests) are written from it. Each
 * tensor has its own stream (seed and name), so one tensor can be made without the others.
 */
import type { WeightSource } from '../../src/convert/graphs/weights';
import type { ModelDesc } from '../../src/convert/model-desc';
import { expectedTensors, type TensorSpec } from '../../src/convert/tensors';
import { randomWeights, seedOf } from './rng';

export interface RandomSourceOptions {
  /** Standard deviation of the logits (lm_head rows ~ logitScale / √hidden): larger makes greedy choices clearer. */
  logitScale?: number;
  /** Write an lm_head even when tied (checkpoints that carry both). */
  withLmHead?: boolean;
  /** Rows from this id on (padding beyond the tokenizer) are zero in the embedding and lm_head, as in trained checkpoints where they never get a gradient. */
  paddingFrom?: number;
}

export interface RandomSource extends WeightSource {
  tensors: TensorSpec[];
}

export function randomSource(desc: ModelDesc, seed: number, opts: RandomSourceOptions = {}): RandomSource {
  const tensors = expectedTensors(desc, opts.withLmHead === undefined ? {} : { withLmHead: opts.withLmHead });
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const resolve = (name: string) => (name === 'lm_head.weight' && desc.text.tied ? 'model.embed_tokens.weight' : name);
  const spec = (name: string) => byName.get(resolve(name));
  return {
    tensors,
    shape: (name) => spec(name)?.shape ?? null,
    async read(name) {
      const t = spec(name);
      if (!t) throw new Error(`random source: no tensor ${name}`);
      const w = make(t, seed, desc, opts.logitScale ?? 3);
      if (opts.paddingFrom !== undefined && (t.kind === 'embedding' || t.name === 'lm_head.weight')) w.fill(0, opts.paddingFrom * desc.text.hidden);
      return w;
    },
  };
}

function make(t: TensorSpec, seed: number, desc: ModelDesc, logitScale: number): Float32Array {
  const count = t.shape.reduce((a, b) => a * b, 1);
  const s = seedOf(seed, t.name);
  switch (t.kind) {
    case 'norm': {
      // Around 1, not 1: a norm weight applied to the wrong axis or left out must show.
      const w = randomWeights(count, 0.1, s);
      for (let i = 0; i < count; i++) w[i] = 1 + (w[i] ?? 0);
      return w;
    }
    case 'bias':
      return randomWeights(count, 0.05, s);
    case 'embedding':
      // A tied embedding is also the lm_head: keep its logits as spread as an untied head's.
      return randomWeights(count, desc.text.tied ? logitScale / Math.sqrt(desc.text.hidden) : 1, s);
    case 'linear': {
      const fanIn = count / (t.shape[0] ?? 1);
      const std = t.name === 'lm_head.weight' ? logitScale / Math.sqrt(desc.text.hidden) : 1 / Math.sqrt(fanIn);
      return randomWeights(count, std, s);
    }
  }
}
