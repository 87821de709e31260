import { describe, expect, it } from 'vitest';
import { HEAP_RESERVE, SPIKE_LIMIT, formatBytes, memoryBudget, refusalMessage, type Refused } from './memoryAdvice';
import { planMemory, type MemoryBudget, type ModelSizes, type PromptShape } from './memoryEstimate';
import { QWEN3B } from './modelSizes.fixture';

const TINY: ModelSizes = {
  ...QWEN3B,
  text: { hidden: 128, layers: 4, heads: 4, kvHeads: 2, headDim: 32, intermediate: 384, vocabRows: 1152 },
  maxPositions: 32768,
};
const GiB = 2 ** 30;

function refused(sizes: ModelSizes, shape: PromptShape, budget: MemoryBudget, question: string, questionTokens: number): Refused {
  const plan = planMemory(sizes, shape, budget);
  expect(plan.fits).toBe(false);
  return { role: 'base', name: 'qwen-3b', backend: 'wasm', sizes, shape, plan, budget, question, questionTokens, resolution: 'full' };
}

const shape = (over: Partial<PromptShape>): PromptShape => ({
  tokens: 1000,
  positions: 1000,
  images: [],
  prefill: true,
  rows: 1,
  maxNewTokens: 512,
  extension: null,
  ...over,
});

describe('memoryBudget', () => {
  it('what the heap may still hold: its limit less a reserve and what the model holds after load', () => {
    const b = memoryBudget({ heapLimit: 4 * GiB, resident: GiB, heapAfterLoad: GiB, gpuMaxBuffer: null });
    expect(b.available).toBe(4 * GiB * (1 - HEAP_RESERVE) - GiB);
    expect(b.maxBuffer).toBe(Infinity);
    expect(b.spikeLimit).toBe(SPIKE_LIMIT);
    expect(memoryBudget({ heapLimit: null, resident: null, heapAfterLoad: null, gpuMaxBuffer: 2 ** 28 })).toMatchObject({ available: Infinity, maxBuffer: 2 ** 28 });
    expect(memoryBudget({ heapLimit: GiB, resident: 2 * GiB, heapAfterLoad: 2 * GiB, gpuMaxBuffer: null }).available).toBe(0);
  });

  it('formats bytes for people', () => {
    expect(formatBytes(3.4 * GiB)).toBe('3.4 GB');
    expect(formatBytes(200 * 2 ** 20)).toBe('200 MB');
    expect(formatBytes(10)).toBe('1 KB');
    expect(formatBytes(2 ** 19)).toBe('512 KB');
  });
});

describe('refusalMessage', () => {
  it('a question past the model’s positions: says so, and to what length to shorten it', () => {
    const question = '7'.repeat(50_000);
    const r = refused(TINY, shape({ tokens: 50_030, positions: 50_030 }), { available: 3 * GiB, maxBuffer: Infinity, spikeLimit: GiB }, question, 50_000);
    const m = refusalMessage(r);
    expect(m).toMatch(/^The prompt is too long for the base model \(qwen-3b, WASM\): 50,030 prompt tokens and 512 new tokens need 50,542 positions, more than the 32,768 it takes\./);
    const chars = Number(/shorten the question to about ([\d,]+) characters \(it has 50,000\)/.exec(m)?.[1]?.replace(/,/g, ''));
    // 32,768 − 512 − 30 tokens of template, one digit per token, less a margin.
    expect(chars).toBeGreaterThan(28_000);
    expect(chars).toBeLessThanOrEqual(32_226);
    expect(m).not.toContain('Max new tokens to'); // no number of new tokens alone makes 50,030 fit
  });

  it('a prefill no piece size fits: names the memory and the shorter question that fits', () => {
    const question = 'Explain the chart. '.repeat(2500);
    const budget = { available: 2 * GiB, maxBuffer: Infinity, spikeLimit: GiB };
    const long = (tokens: number) => shape({ tokens, positions: tokens, maxNewTokens: 1 });
    const r = refused(QWEN3B, long(15_000), budget, question, 14_970);
    expect(r.plan.blocker).toBe('prefill');
    const m = refusalMessage(r);
    expect(m).toMatch(/^The question is too long for the memory of the base model \(qwen-3b, WASM\): reading its 15,000-token prompt, even in the smallest pieces, needs about [\d.]+ GB, and 2.0 GB are free\. To fit: shorten the question to about [\d,]+ characters \(it has 47,500\)\.$/);
    // The suggestion is checked: that many characters' tokens fit, a tenth more do not.
    const keep = Number(/about ([\d,]+) characters/.exec(m)?.[1]?.replace(/,/g, ''));
    const keptTokens = Math.ceil((keep / 47_500) * 14_970);
    expect(planMemory(QWEN3B, long(30 + keptTokens), budget).fits).toBe(true);
    expect(planMemory(QWEN3B, long(30 + Math.ceil(keptTokens * 1.1)), budget).fits).toBe(false);
  });

  it('a KV cache too large for the new tokens asked: says how many new tokens fit', () => {
    const budget = { available: 2 * GiB, maxBuffer: Infinity, spikeLimit: GiB };
    const r = refused(QWEN3B, shape({ tokens: 500, positions: 500, rows: 2, maxNewTokens: 8192 }), budget, 'What is shown?', 4);
    const m = refusalMessage(r);
    expect(m).toMatch(/^This run does not fit the memory of the base model \(qwen-3b, WASM\): the KV cache of 500 prompt tokens and 8,192 new tokens for 2 streams needs about [\d.]+ GB, and 2.0 GB are free\./);
    const fit = Number(/lower Max new tokens to ([\d,]+) \(it is 8,192\)/.exec(m)?.[1]?.replace(/,/g, ''));
    expect(planMemory(QWEN3B, shape({ tokens: 500, positions: 500, rows: 2, maxNewTokens: fit }), budget).fits).toBe(true);
    expect(planMemory(QWEN3B, shape({ tokens: 500, positions: 500, rows: 2, maxNewTokens: fit + 1 }), budget).fits).toBe(false);
  });

  it('an image too large for the vision encoder: suggests Low resolution when that fits', () => {
    const budget = { available: 2 * GiB, maxBuffer: Infinity, spikeLimit: GiB };
    const r = refused(QWEN3B, shape({ images: [[1, 100, 100]], tokens: 2540, positions: 90 }), budget, 'What is shown?', 4);
    const m = refusalMessage(r);
    expect(m).toMatch(/^The image is too large for the memory of the base model \(qwen-3b, WASM\): its 2,500 visual tokens go through the vision encoder at once, which needs about [\d.]+ GB, and 2.0 GB are free\. To fit: choose Low resolution/);
  });

  it('a buffer larger than the GPU allows: says so', () => {
    const budget = { available: Infinity, maxBuffer: 2 ** 19, spikeLimit: GiB };
    const r = { ...refused(TINY, shape({ tokens: 4000, positions: 4000 }), budget, 'q', 1), backend: 'webgpu' as const };
    expect(refusalMessage(r)).toMatch(/reading its 4,000-token prompt, even in the smallest pieces, needs a buffer of 244 MB, more than the GPU allows in one \(512 KB\)\./);
  });
});
