import { describe, expect, it } from 'vitest';
import {
  ALLOCATOR_MARGIN,
  MIN_CHUNK,
  SCORES_BUFFERS,
  decoderForward,
  gridTokens,
  kvBytes,
  planMemory,
  prefillForward,
  visionForward,
  type MemoryBudget,
  type ModelSizes,
  type PromptShape,
} from './memoryEstimate';
import { QWEN7B } from './modelSizes.fixture';

/** The tiny trio's base model (tiny-base in scripts/models/catalog.ts). */
const TINY: ModelSizes = {
  text: { hidden: 128, layers: 4, heads: 4, kvHeads: 2, headDim: 32, intermediate: 384, vocabRows: 1152 },
  vision: { ...QWEN7B.vision, width: 64, depth: 1, heads: 1, mlpHidden: 256, outHidden: 128, fullAttBlocks: [0] },
  maxPositions: 32768,
  computeBytes: 4,
  logitsToKeep: false,
};

const GiB = 2 ** 30;
const unbounded: MemoryBudget = { available: Infinity, maxBuffer: Infinity, spikeLimit: Infinity };

function shape(over: Partial<PromptShape> = {}): PromptShape {
  return { tokens: 1000, positions: 1000, images: [], prefill: true, rows: 1, maxNewTokens: 256, extension: null, ...over };
}

describe('the graphs’ tensors', () => {
  it('KV cache: every layer’s key and value, kv_heads × head_dim per position and row', () => {
    // Qwen2.5-VL-7B in float32: 28 layers × 2 × 4 × 128 × 4 bytes = 114,688 bytes per position.
    expect(kvBytes(QWEN7B, 1)).toBe(114_688);
    expect(kvBytes(QWEN7B, 1000, 2)).toBe(2 * 1000 * 114_688);
    expect(kvBytes({ ...QWEN7B, computeBytes: 2 }, 1)).toBe(57_344);
  });

  it('a prefill is dominated by the float32 scores [heads, S, T], quadratic in the prompt', () => {
    const s = 4000;
    const f = decoderForward(TINY, 1, s, 0, false);
    const scores = TINY.text.heads * s * s * 4;
    expect(f.largest).toBe(scores);
    const mask = s * s * 4;
    expect(f.bytes).toBeGreaterThan(SCORES_BUFFERS * scores + mask);
    expect(f.bytes).toBeLessThan((SCORES_BUFFERS * scores + mask) * 1.1);
    const twice = decoderForward(TINY, 1, 2 * s, 0, false);
    expect(twice.bytes / f.bytes).toBeGreaterThan(3.9);
  });

  it('logits: every position without num_logits_to_keep, one row with it', () => {
    const all = decoderForward(QWEN7B, 1, 512, 0, false);
    const last = decoderForward(QWEN7B, 1, 512, 0, true);
    expect(all.bytes - last.bytes).toBe(511 * 152064 * 4);
  });

  it('a decode step holds the past copied in and the presents out: the cache twice', () => {
    const step = decoderForward(QWEN7B, 2, 1, 9999, false);
    expect(step.bytes).toBeGreaterThan(2 * kvBytes(QWEN7B, 9999, 2));
    // Besides: the logits rows and, at the attention, one layer's keys transposed for the scores.
    const keys = 2 * 4 * 128 * 10000 * 4;
    expect(step.bytes).toBeLessThan(2 * kvBytes(QWEN7B, 10000, 2) + 2 * 152064 * 4 + keys + 1e7);
  });

  it('a chunked prefill: its last piece sees the whole prompt as past', () => {
    const whole = prefillForward(TINY, 8000, 8000);
    const pieces = prefillForward(TINY, 8000, 500);
    expect(pieces.bytes).toBeLessThan(whole.bytes / 10);
    // The last piece's scores: 500 × 8000, four heads.
    expect(pieces.largest).toBe(4 * 500 * 8000 * 4);
  });

  it('vision: windowed blocks grow linearly with the image, full-attention blocks quadratically', () => {
    const windowed = { ...QWEN7B.vision, fullAttBlocks: [] };
    const small = visionForward(windowed, [1, 32, 32]);
    const large = visionForward(windowed, [1, 64, 64]);
    expect(large.bytes / small.bytes).toBeGreaterThan(3.5);
    expect(large.bytes / small.bytes).toBeLessThan(4.5);
    const full = visionForward(QWEN7B.vision, [1, 64, 64]);
    // [1, 16 heads, 4096, 4096] float32 scores in the full-attention blocks.
    expect(full.largest).toBe(16 * 4096 * 4096 * 4);
    expect(gridTokens([1, 64, 64], 2)).toBe(1024);
  });
});

describe('planMemory', () => {
  it('fits in one piece when the budget allows, with the peak of its largest phase', () => {
    const p = planMemory(TINY, shape(), { available: GiB, maxBuffer: Infinity, spikeLimit: GiB });
    expect(p).toMatchObject({ fits: true, chunkTokens: null, blocker: null });
    expect(p.peakBytes).toBe(Math.max(p.phases.prefill.bytes, p.phases.decode.bytes, p.phases.vision.bytes));
  });

  it('splits a prefill that would not fit into the largest pieces that do (multiples of 16)', () => {
    const budget = { available: 256 * 2 ** 20, maxBuffer: Infinity, spikeLimit: Infinity };
    const p = planMemory(TINY, shape({ tokens: 6000, positions: 6000 }), budget);
    expect(p.fits).toBe(true);
    expect(p.chunkTokens).not.toBeNull();
    const chunk = p.chunkTokens ?? 0;
    expect(chunk % MIN_CHUNK).toBe(0);
    // The allocator's margin is kept free on top of the estimate.
    const need = (c: number) => prefillForward(TINY, 6000, c).bytes * (1 + ALLOCATOR_MARGIN);
    expect(need(chunk)).toBeLessThanOrEqual(budget.available);
    expect(need(chunk + MIN_CHUNK)).toBeGreaterThan(budget.available);
  });

  it('splits a prefill that fits but would pass the spike limit (the heap never shrinks)', () => {
    const spiky = planMemory(TINY, shape({ tokens: 6000, positions: 6000 }), { available: 3 * GiB, maxBuffer: Infinity, spikeLimit: GiB });
    expect(spiky.chunkTokens).not.toBeNull();
    expect(spiky.phases.prefill.bytes * (1 + ALLOCATOR_MARGIN)).toBeLessThanOrEqual(GiB);
    const calm = planMemory(TINY, shape({ tokens: 6000, positions: 6000 }), { available: 3 * GiB, maxBuffer: Infinity, spikeLimit: 2 * GiB });
    expect(calm.chunkTokens).toBeNull();
  });

  it('keeps pieces under the GPU’s largest buffer', () => {
    const p = planMemory(TINY, shape({ tokens: 6000, positions: 6000 }), { available: Infinity, maxBuffer: 64 * 2 ** 20, spikeLimit: Infinity });
    expect(p.fits).toBe(true);
    expect(p.phases.prefill.largest).toBeLessThanOrEqual(64 * 2 ** 20);
  });

  it('refuses what no piece size saves: the KV cache of the run itself', () => {
    // 7B: 40,000 positions × 2 rows of float32 cache ≈ 8.5 GB, twice in a step.
    const p = planMemory(QWEN7B, shape({ tokens: 20000, positions: 20000, rows: 2, maxNewTokens: 20000 }), { available: 3 * GiB, maxBuffer: Infinity, spikeLimit: GiB });
    expect(p).toMatchObject({ fits: false, blocker: 'prefill' });
    const short = planMemory(QWEN7B, shape({ tokens: 3000, positions: 3000, rows: 2, maxNewTokens: 8000 }), { available: 3 * GiB, maxBuffer: Infinity, spikeLimit: GiB });
    expect(short).toMatchObject({ fits: false, blocker: 'decode' });
  });

  it('refuses an image whose full-attention blocks do not fit, before the decoder', () => {
    const p = planMemory(QWEN7B, shape({ images: [[1, 128, 128]], tokens: 4200, positions: 200 }), { available: 3 * GiB, maxBuffer: Infinity, spikeLimit: GiB });
    expect(p).toMatchObject({ fits: false, blocker: 'vision' });
  });

  it('refuses a prompt past the model’s positions (max_position_embeddings), whatever the memory', () => {
    const p = planMemory(TINY, shape({ tokens: 32700, positions: 32700, maxNewTokens: 512 }), unbounded);
    expect(p).toMatchObject({ fits: false, blocker: 'context' });
    expect(planMemory(TINY, shape({ tokens: 32000, positions: 32000, maxNewTokens: 512 }), unbounded).fits).toBe(true);
  });

  it('a kept prompt (reused prefill) costs no vision encoder and no prefill', () => {
    const p = planMemory(TINY, shape({ prefill: false, images: [[1, 16, 16]] }), unbounded);
    expect(p.phases.prefill.bytes).toBe(0);
    expect(p.phases.vision.bytes).toBe(0);
    expect(p.phases.decode.bytes).toBeGreaterThan(0);
  });

  it('smart resolution counts the full image VisionThink may ask for', () => {
    const low = shape({ images: [[1, 32, 32]], tokens: 400, positions: 200 });
    const smart = { ...low, extension: { tokens: 1040, grid: [1, 64, 64] as const } };
    const a = planMemory(QWEN7B, low, unbounded);
    const b = planMemory(QWEN7B, smart, unbounded);
    expect(b.phases.extension.bytes).toBeGreaterThan(0);
    expect(b.phases.decode.bytes).toBeGreaterThan(a.phases.decode.bytes);
  });
});
