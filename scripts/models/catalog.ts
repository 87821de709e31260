/** The models `npm run models` makes: the tiny trio for tests and the bench trio (real Qwen vocabulary). */
import type { ModelSpec } from './spec';
import { FAVOURED_WORDS, RESIZE_CALL_BODY } from './tokenizer';

const TINY_VOCAB = 1024; // regular ids; 26 added tokens follow, 1050 ids in all
const BENCH_VOCAB = 151643; // Qwen2.5's regular ids; added tokens start at 151643 as in the real tokenizer
const TINY_PIXELS = { minPixels: 56 * 56, maxPixels: 28 * 28 * 64 };
const BENCH_PIXELS = { minPixels: 56 * 56, maxPixels: 28 * 28 * 1024 };

const tinySmall = {
  weightSeed: 2002,
  regularVocab: TINY_VOCAB,
  text: { hidden: 64, layers: 2, heads: 2, kvHeads: 1, headDim: 32, intermediate: 192, ropeTheta: 1e6, mropeSection: [4, 6, 6] as [number, number, number], vocabRows: 1088, logitScale: 3 },
  visionDim: 32,
  ...TINY_PIXELS,
  formats: ['fp32', 'q4', 'q8'] as const,
};

const benchSmall = {
  weightSeed: 3002,
  regularVocab: BENCH_VOCAB,
  text: { hidden: 128, layers: 4, heads: 2, kvHeads: 1, headDim: 64, intermediate: 384, ropeTheta: 1e6, mropeSection: [8, 12, 12] as [number, number, number], vocabRows: 151936, logitScale: 3 },
  visionDim: 128,
  visionBlocks: { layers: 1, heads: 2, intermediate: 352 },
  ...BENCH_PIXELS,
  formats: ['q4', 'q8'] as const,
  logitsToKeep: true,
};

const tinyBase = {
  weightSeed: 1001,
  regularVocab: TINY_VOCAB,
  text: { hidden: 128, layers: 4, heads: 4, kvHeads: 2, headDim: 32, intermediate: 384, ropeTheta: 1e6, mropeSection: [4, 6, 6] as [number, number, number], vocabRows: 1152, logitScale: 3 },
  visionDim: 64,
  ...TINY_PIXELS,
  formats: ['fp32', 'q4', 'q8'] as const,
};

const benchBase = {
  weightSeed: 3001,
  regularVocab: BENCH_VOCAB,
  text: { hidden: 512, layers: 6, heads: 8, kvHeads: 2, headDim: 64, intermediate: 1536, ropeTheta: 1e6, mropeSection: [8, 12, 12] as [number, number, number], vocabRows: 152064, logitScale: 3 },
  visionDim: 256,
  visionBlocks: { layers: 2, heads: 4, intermediate: 704 },
  ...BENCH_PIXELS,
  formats: ['q4', 'q8'] as const,
  logitsToKeep: true,
};

/** What tiny-expert-markup says first: an element, were it ever parsed as HTML. */
export const MARKUP_OUTPUT = '<img src=x>';

/** After the prompt's last token ("\n") each character of `text` in turn, then the end of the turn. */
function markupChain(text: string): [string, string][] {
  const chars = ['\n', ...text, '<|im_end|>'];
  if (new Set(chars).size !== chars.length) throw new Error(`markup chain: a character repeats in ${text}`);
  return chars.slice(1).map((c, i) => [chars[i] ?? '', c]);
}

export const CATALOG: readonly ModelSpec[] = [
  { name: 'tiny-base', ...tinyBase, description: 'the larger model of the tiny trio (ProxyThinker base)' },
  { name: 'tiny-amateur', ...tinySmall, description: 'the small model before RL (ProxyThinker amateur)' },
  {
    name: 'tiny-expert',
    ...tinySmall,
    logitBias: { tokens: FAVOURED_WORDS, value: 6 },
    description: 'tiny-amateur whose lm_head favours " Wait", " verify", " check", " However" (ProxyThinker expert)',
  },
  {
    name: 'tiny-expert-escalate',
    ...tinySmall,
    bigram: {
      pairs: [
        ['\n', '<tool_call>'],
        ['<tool_call>', RESIZE_CALL_BODY],
        [RESIZE_CALL_BODY, '</tool_call>'],
        ['</tool_call>', '<|im_end|>'],
      ],
      value: 24,
    },
    description: 'tiny-amateur that asks for the full image (VisionThink resize_image) as its first words',
  },
  // The fault suite's decoder with fewer logits (1040) than its tokenizer has ids (1050): a trio must refuse it.
  {
    name: 'tiny-expert-narrow',
    ...tinySmall,
    text: { ...tinySmall.text, vocabRows: 1040 },
    formats: ['q4', 'q8'] as const,
    description: 'tiny-expert whose lm_head has fewer rows than its tokenizer has ids (for the fault suite)',
  },
  // The XSS probe's expert: its first words are markup (each character a token, so the chain of pairs
  // never repeats a token), which the page must show as text.
  {
    name: 'tiny-expert-markup',
    ...tinySmall,
    bigram: { pairs: markupChain(MARKUP_OUTPUT), value: 24 },
    formats: ['q4', 'q8'] as const,
    description: 'tiny-amateur whose first words are the markup <img src=x> (for the XSS probe)',
  },
  // The same tiny trio in the Qwen2-VL architecture (LayerNorm + QuickGELU vision blocks, full attention).
  { name: 'tiny2-base', ...tinyBase, family: 'qwen2_vl', weightSeed: 1101, visionBlocks: { layers: 1, heads: 2, intermediate: 256 }, description: 'Qwen2-VL-architecture base of the tiny trio' },
  { name: 'tiny2-amateur', ...tinySmall, family: 'qwen2_vl', weightSeed: 2102, visionBlocks: { layers: 1, heads: 1, intermediate: 128 }, description: 'Qwen2-VL-architecture amateur' },
  {
    name: 'tiny2-expert',
    ...tinySmall,
    family: 'qwen2_vl',
    weightSeed: 2102,
    visionBlocks: { layers: 1, heads: 1, intermediate: 128 },
    logitBias: { tokens: FAVOURED_WORDS, value: 6 },
    description: 'Qwen2-VL-architecture expert (favours " Wait", " verify", …)',
  },
  // The tiny trio in the Qwen3-VL architecture: q/k norms, interleaved M-RoPE, 16-px patches, a learned
  // position table, DeepStack features from the first vision blocks into the first decoder layers.
  { name: 'tiny3-base', ...tinyBase, family: 'qwen3_vl', weightSeed: 1201, text: { ...tinyBase.text, mropeSection: [6, 5, 5] }, visionBlocks: { layers: 3, heads: 2, intermediate: 128 }, description: 'Qwen3-VL-architecture base of the tiny trio' },
  { name: 'tiny3-amateur', ...tinySmall, family: 'qwen3_vl', weightSeed: 2202, text: { ...tinySmall.text, mropeSection: [6, 5, 5] }, visionBlocks: { layers: 2, heads: 1, intermediate: 64 }, description: 'Qwen3-VL-architecture amateur (the 2B Instruct of the trio)' },
  {
    name: 'tiny3-expert',
    ...tinySmall,
    family: 'qwen3_vl',
    weightSeed: 2202,
    text: { ...tinySmall.text, mropeSection: [6, 5, 5] },
    visionBlocks: { layers: 2, heads: 1, intermediate: 64 },
    logitBias: { tokens: FAVOURED_WORDS, value: 6 },
    description: 'Qwen3-VL-architecture expert (the 2B Thinking of the trio; favours " Wait", " verify", …)',
  },
  { name: 'bench-base', ...benchBase, description: 'benchmark base: real Qwen vocabulary, about 4x the small models' },
  { name: 'bench-amateur', ...benchSmall, description: 'benchmark amateur' },
  { name: 'bench-expert', ...benchSmall, logitBias: { tokens: FAVOURED_WORDS, value: 6 }, description: 'benchmark expert' },
  // The bench's graph comparison: the same weights in plain ONNX ops (made by the bench when needed).
  { name: 'bench-base-plain', ...benchBase, ops: 'plain', onDemand: true, description: 'bench-base in plain ONNX ops (no fused contrib ops)' },
  { name: 'tiny-base-plain', ...tinyBase, formats: ['fp32', 'q4'], ops: 'plain', onDemand: true, description: 'tiny-base in plain ONNX ops (no fused contrib ops)' },
  // Memory only (issue #13): Qwen2.5-VL-3B's real shapes in q4 — 36 layers of 2048, 151,936-row head,
  // the 32-block 1280-wide vision tower — to see whether a real 3B model fits WASM (scripts/bench/mem3b.ts).
  {
    name: 'mem-3b',
    weightSeed: 4001,
    regularVocab: BENCH_VOCAB,
    text: { hidden: 2048, layers: 36, heads: 16, kvHeads: 2, headDim: 128, intermediate: 11008, ropeTheta: 1e6, mropeSection: [16, 24, 24], vocabRows: 151936, logitScale: 3 },
    visionDim: 1280,
    visionBlocks: { layers: 32, heads: 16, intermediate: 3424 }, // 3420 in the real model; q4 blocks need a multiple of 32
    ...BENCH_PIXELS,
    formats: ['q4'],
    logitsToKeep: true,
    onDemand: true,
    description: 'Qwen2.5-VL-3B shapes in q4 with random weights: memory only, never timed',
  },
];
