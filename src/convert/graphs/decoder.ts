/**
 * decoder_model_merged: the Qwen2 language model with M-RoPE over a KV cache, in the I/O names of
 * onnx-community's Qwen-VL exports: inputs_embeds [B, S, H] (float32), attention_mask [B, T],
 * position_ids [3, B, S], optional num_logits_to_keep, past_key_values.{i}.key/.value
 * [B, kv_heads, past, head_dim] → logits [B, S|k, vocab_rows] (float32), present.{i}.*. The cache is
 * in the compute type (float16 for fp16/q4f16 files).
 */
import { Graph } from '../onnx/graph';
import { embedWidth, type TextDesc, type WeightFormat } from '../model-desc';
import { addRmsNorm, linear, rmsNorm, rotaryPerToken, scalar, toCompute, toFloat } from './ops';
import { Ctx, type QuantOptions, type WeightSource } from './weights';

/** Additions only the model factory uses (behaviour shifts of generated experts). */
export interface DecoderExtras {
  /** Added to the logits (padding rows pushed down, favoured words up). */
  lmHeadBias?: Float32Array;
  /** A bigram head [H, vocab_rows]: logits += inputs_embeds @ W. */
  bigram?: Float32Array;
}

export interface DecoderOptions extends QuantOptions {
  /** Declare num_logits_to_keep (a prefill then computes the lm_head for the last k positions only). */
  logitsToKeep: boolean;
  extras?: DecoderExtras;
}

export function buildDecoder(t: TextDesc, fmt: WeightFormat, src: WeightSource, o: DecoderOptions): Graph {
  const g = new Graph('decoder_model_merged');
  const c = new Ctx(g, fmt, src, o);
  const { hidden: H, heads: nh, kvHeads: kvh, headDim: hd } = t;
  const groups = nh / kvh;
  const cfg = (k: string) => `text config ${k}`;

  const embeds = g.input('inputs_embeds', 'float', ['batch_size', 'sequence_length', embedWidth(t)]);
  // inputs_embeds = [embedding | DeepStack features for each of the first layers] (Qwen3-VL).
  const slot = (i: number) => g.op1('Slice', [embeds, g.constI([i * H]), g.constI([(i + 1) * H]), g.constI([2])]);
  const mainEmbeds = t.deepstackLayers === 0 ? embeds : slot(0);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const posIds = g.input('position_ids', 'int64', [3, 'batch_size', 'sequence_length']);
  const keep = o.logitsToKeep ? g.input('num_logits_to_keep', 'int64', []) : null;
  const past = Array.from({ length: t.layers }, (_, l) => ({
    key: g.input(`past_key_values.${l}.key`, c.ct, ['batch_size', kvh, 'past_sequence_length', hd]),
    value: g.input(`past_key_values.${l}.value`, c.ct, ['batch_size', kvh, 'past_sequence_length', hd]),
  }));

  // M-RoPE: frequency j turns with the t, h or w position, by mrope_section.
  const half = hd / 2;
  const rowOfFreq = mropeRows(t);
  const invFreq = Array.from({ length: half }, (_, j) => 1 / Math.pow(t.ropeTheta, (2 * j) / hd));
  const pos = g.op1('Cast', [posIds], { to: 1 });
  const sel = g.op1('Gather', [pos, g.constI(rowOfFreq)], { axis: 0 }); // [half, B, S]
  const freqs = g.op1('Mul', [g.op1('Transpose', [sel], { perm: [1, 2, 0] }), g.constF(invFreq)]);
  const perToken = g.op1('Reshape', [freqs, g.constI([-1, half])]); // [B·S, hd/2]
  const cos = toCompute(c, g.op1('Cos', [perToken]));
  const sin = toCompute(c, g.op1('Sin', [perToken]));

  // Additive mask [B, 1, 1, S, T]: causal over absolute positions, and the attention_mask's padding.
  const seqLen = g.op1('Gather', [g.op1('Shape', [embeds]), g.constI([1])], { axis: 0 });
  const totalLen = g.op1('Gather', [g.op1('Shape', [mask]), g.constI([1])], { axis: 0 });
  const pastLen = g.op1('Sub', [totalLen, seqLen]);
  const kIdx = g.op1('Range', [g.constI([0], []), scalar(c, totalLen), g.constI([1], [])]);
  const qIdx = g.op1('Range', [scalar(c, pastLen), scalar(c, totalLen), g.constI([1], [])]);
  const causal = g.op1('LessOrEqual', [g.op1('Unsqueeze', [kIdx, g.constI([0])]), g.op1('Unsqueeze', [qIdx, g.constI([1])])]);
  const attend = g.op1('Equal', [mask, g.constI([1], [])]);
  const allowed = g.op1('And', [causal, g.op1('Unsqueeze', [attend, g.constI([1, 2, 3])])]);
  const maskBias = g.op1('Where', [allowed, g.constF([0], []), g.constF([-1e9], [])]);

  // Each layer: attention on the normed stream, then the residual add fused with the next norm.
  let x = toCompute(c, mainEmbeds);
  let xn = rmsNorm(c, x, 'model.layers.0.input_layernorm.weight', H, t.rmsEps, cfg('hidden_size'));
  for (let l = 0; l < t.layers; l++) {
    const p = `model.layers.${l}`;
    const input = xn;
    const projWhy = cfg('hidden_size / num_attention_heads / num_key_value_heads / head_dim');
    const proj = (name: string, n: number) => linear(c, input, `${p}.self_attn.${name}`, n, H, { ...(t.qkvBias ? { bias: 'checkpoint' as const } : {}), why: projWhy });
    const heads = (v: string, n: number) => g.op1('Transpose', [g.op1('Reshape', [v, g.constI([0, 0, n, hd])])], { perm: [0, 2, 1, 3] });
    // Qwen3: RMSNorm over each head's channels before the rotation.
    const headNorm = (v: string, n: number, name: string) =>
      t.qkNorm
        ? g.op1('Reshape', [rmsNorm(c, g.op1('Reshape', [v, g.constI([0, 0, n, hd])]), `${p}.self_attn.${name}.weight`, hd, t.rmsEps, cfg('head_dim')), g.constI([0, 0, n * hd])])
        : v;
    const q = heads(rotaryPerToken(c, headNorm(proj('q_proj', nh * hd), nh, 'q_norm'), cos, sin, nh, hd), nh);
    const k = heads(rotaryPerToken(c, headNorm(proj('k_proj', kvh * hd), kvh, 'k_norm'), cos, sin, kvh, hd), kvh);
    const v = heads(proj('v_proj', kvh * hd), kvh);
    const pk = past[l];
    if (!pk) throw new Error('missing past');
    const kAll = g.op1('Concat', [pk.key, k], { axis: 2 }, `present.${l}.key`);
    const vAll = g.op1('Concat', [pk.value, v], { axis: 2 }, `present.${l}.value`);
    g.output(`present.${l}.key`, c.ct, ['batch_size', kvh, 'total_sequence_length', hd]);
    g.output(`present.${l}.value`, c.ct, ['batch_size', kvh, 'total_sequence_length', hd]);

    // Grouped-query attention by broadcasting q [B, kvh, groups, S, hd] against k [B, kvh, 1, T, hd]
    // (no fused kernel is exact with any mask on every backend and faster here: docs/onnx-ops.md);
    // scores and softmax in float32 as transformers does.
    const q5 = g.op1('Reshape', [q, g.constI([0, kvh, groups, -1, hd])]);
    const kT = g.op1('Transpose', [g.op1('Unsqueeze', [kAll, g.constI([2])])], { perm: [0, 1, 2, 4, 3] });
    const scores = g.op1('Add', [g.op1('Mul', [toFloat(c, g.op1('MatMul', [q5, kT])), g.constF([1 / Math.sqrt(hd)], [])]), maskBias]);
    const probs = toCompute(c, g.op1('Softmax', [scores], { axis: -1 }));
    const ctx = g.op1('MatMul', [probs, g.op1('Unsqueeze', [vAll, g.constI([2])])]);
    const merged = g.op1('Reshape', [
      g.op1('Transpose', [g.op1('Reshape', [ctx, g.constI([0, nh, -1, hd])])], { perm: [0, 2, 1, 3] }),
      g.constI([0, 0, nh * hd]),
    ]);
    const attn = linear(c, merged, `${p}.self_attn.o_proj`, H, nh * hd, { why: cfg('hidden_size / num_attention_heads') });
    const a = addRmsNorm(c, x, attn, `${p}.post_attention_layernorm.weight`, H, t.rmsEps, cfg('hidden_size'));

    const I = t.intermediate;
    const why = cfg('hidden_size / intermediate_size');
    const gate = linear(c, a.normed, `${p}.mlp.gate_proj`, I, H, { why });
    const up = linear(c, a.normed, `${p}.mlp.up_proj`, I, H, { why });
    const act = g.op1('Mul', [g.op1('Mul', [gate, g.op1('Sigmoid', [gate])]), up]);
    const down = linear(c, act, `${p}.mlp.down_proj`, H, I, { why });
    const nextNorm = l + 1 < t.layers ? `model.layers.${l + 1}.input_layernorm.weight` : 'model.norm.weight';
    // DeepStack: layer l's output takes the l-th visual features (zeros at text positions).
    const m =
      l < t.deepstackLayers
        ? addRmsNorm(c, g.op1('Add', [a.sum, down]), toCompute(c, slot(l + 1)), nextNorm, H, t.rmsEps, cfg('hidden_size'))
        : addRmsNorm(c, a.sum, down, nextNorm, H, t.rmsEps, cfg('hidden_size'));
    x = m.sum;
    xn = m.normed;
  }

  const last = (v: string) => (keep ? keepLast(c, v, keep) : v);
  const xf = last(xn);
  const extras = o.extras ?? {};
  const headWhy = cfg('vocab_size / hidden_size');
  const bias = extras.lmHeadBias;
  if (!extras.bigram) {
    const logits = linear(c, xf, 'lm_head', t.vocabRows, H, { why: headWhy, ...(bias ? { bias } : {}), ...(c.ct === 'float' ? { out: 'logits' } : {}) });
    if (c.ct !== 'float') g.op1('Cast', [logits], { to: 1 }, 'logits');
  } else {
    const head = linear(c, xf, 'lm_head', t.vocabRows, H, { why: headWhy, ...(bias ? { bias } : {}) });
    const w2 = c.data('bigram_head.weight', [H, t.vocabRows], extras.bigram);
    g.op1('Add', [toFloat(c, head), toFloat(c, g.op1('MatMul', [last(toCompute(c, mainEmbeds)), w2]))], {}, 'logits');
  }
  g.output('logits', 'float', ['batch_size', keep ? 'num_logits' : 'sequence_length', t.vocabRows]);
  return g;
}

/** x [B, S, …] sliced to its last k positions along S (all of them when k is 0). */
function keepLast(c: Ctx, x: string, k: string): string {
  const { g } = c;
  const seq = g.op1('Gather', [g.op1('Shape', [x]), g.constI([1])], { axis: 0 });
  const k1 = g.op1('Reshape', [k, g.constI([1])]);
  const fromEnd = g.op1('Max', [g.op1('Sub', [seq, k1]), g.constI([0])]);
  const start = g.op1('Where', [g.op1('Equal', [k1, g.constI([0])]), g.constI([0]), fromEnd]);
  return g.op1('Slice', [x, start, seq, g.constI([1])]);
}

/**
 * Which position row (t 0, h 1, w 2) turns each of the head_dim/2 frequencies: three runs of
 * mrope_section (Qwen2/2.5-VL), or interleaved t h w t h w … with h at 1, 4, … < 3·s_h and w at
 * 2, 5, … < 3·s_w, the rest t (Qwen3-VL's apply_interleaved_mrope).
 */
export function mropeRows(t: TextDesc): number[] {
  const [, sh, sw] = t.mropeSection;
  const half = t.headDim / 2;
  if (!t.mropeInterleaved) return t.mropeSection.flatMap((n, row) => new Array<number>(n).fill(row));
  return Array.from({ length: half }, (_, j) => (j % 3 === 1 && j < 3 * sh ? 1 : j % 3 === 2 && j < 3 * sw ? 2 : 0));
}
