/**
 * decoder_model_merged.onnx: a real Qwen2-style decoder with random weights — RMSNorm, grouped-query
 * attention over a KV cache, M-RoPE from position_ids [3, B, S], SwiGLU MLP, lm_head. Input and
 * output names and symbolic dims are those of onnx-community's Qwen2.5-VL exports.
 */
import { GraphBuilder, type WeightFormat } from './onnx-builder';
import { randomWeights, seedOf } from './rng';
import { rmsEps, type ModelSpec } from './spec';

const NEG = -1e9;

export function rmsNorm(g: GraphBuilder, x: string, weight: string): string {
  const sq = g.op1('Mul', [x, x]);
  const ms = g.op1('ReduceMean', [sq], { axes: [-1], keepdims: 1 });
  const r = g.op1('Sqrt', [g.op1('Add', [ms, g.constF([rmsEps()], [])])]);
  return g.op1('Mul', [g.op1('Div', [x, r]), weight]);
}

function ones(g: GraphBuilder, name: string, n: number): string {
  return g.initializer(name, 'float', [n], new Float32Array(n).fill(1));
}

/** The lm_head's additive term: padding rows are pushed far down, the expert's favoured tokens up. */
export function lmHeadBias(
  spec: ModelSpec,
  tokenizerSize: number,
  idOf: (t: string) => number,
): Float32Array {
  const bias = new Float32Array(spec.text.vocabRows);
  for (let i = tokenizerSize; i < bias.length; i++) bias[i] = -100;
  for (const tok of spec.logitBias?.tokens ?? []) bias[idOf(tok)] = spec.logitBias?.value ?? 0;
  return bias;
}

/** x [B, S, …] sliced to its last k positions along S (all of them when k is 0). */
function keepLast(g: GraphBuilder, x: string, k: string): string {
  const seq = g.op1('Gather', [g.op1('Shape', [x]), g.constI([1])], { axis: 0 }); // [1]
  const k1 = g.op1('Reshape', [k, g.constI([1])]);
  const fromEnd = g.op1('Max', [g.op1('Sub', [seq, k1]), g.constI([0])]);
  const start = g.op1('Where', [g.op1('Equal', [k1, g.constI([0])]), g.constI([0]), fromEnd]);
  return g.op1('Slice', [x, start, seq, g.constI([1])]);
}

export function buildDecoder(
  spec: ModelSpec,
  format: WeightFormat,
  bias: Float32Array,
  bigram: Float32Array | null = null,
): Uint8Array {
  const t = spec.text;
  const { hidden: H, heads: nh, kvHeads: kvh, headDim: hd } = t;
  const groups = nh / kvh;
  const g = new GraphBuilder('decoder_model_merged', format);
  const w = (name: string, count: number, std: number) =>
    randomWeights(count, std, seedOf(spec.weightSeed, name));

  const embeds = g.input('inputs_embeds', 'float', ['batch_size', 'sequence_length', H]);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const posIds = g.input('position_ids', 'int64', [3, 'batch_size', 'sequence_length']);
  const logitsToKeep = spec.logitsToKeep ? g.input('num_logits_to_keep', 'int64', []) : null;
  const past: { key: string; value: string }[] = [];
  for (let l = 0; l < t.layers; l++) {
    past.push({
      key: g.input(`past_key_values.${l}.key`, 'float', ['batch_size', kvh, 'past_sequence_length', hd]),
      value: g.input(`past_key_values.${l}.value`, 'float', ['batch_size', kvh, 'past_sequence_length', hd]),
    });
  }

  // M-RoPE: frequency j rotates by the t, h or w position according to mropeSection.
  const half = hd / 2;
  const rowOfFreq: number[] = [];
  t.mropeSection.forEach((n, row) => {
    for (let i = 0; i < n; i++) rowOfFreq.push(row);
  });
  const invFreq = Array.from({ length: half }, (_, j) => 1 / Math.pow(t.ropeTheta, (2 * j) / hd));
  const pos = g.op1('Cast', [posIds], { to: 1 });
  const sel = g.op1('Gather', [pos, g.constI(rowOfFreq)], { axis: 0 }); // [half, B, S]
  const freqs = g.op1('Mul', [g.op1('Transpose', [sel], { perm: [1, 2, 0] }), g.constF(invFreq)]);
  const emb = g.op1('Concat', [freqs, freqs], { axis: -1 }); // [B, S, hd]
  const cos = g.op1('Unsqueeze', [g.op1('Cos', [emb]), g.constI([1])]); // [B, 1, S, hd]
  const sin = g.op1('Unsqueeze', [g.op1('Sin', [emb]), g.constI([1])]);
  const rope = (x: string) => {
    const x1 = g.op1('Slice', [x, g.constI([0]), g.constI([half]), g.constI([3])]);
    const x2 = g.op1('Slice', [x, g.constI([half]), g.constI([hd]), g.constI([3])]);
    const rotated = g.op1('Concat', [g.op1('Neg', [x2]), x1], { axis: 3 });
    return g.op1('Add', [g.op1('Mul', [x, cos]), g.op1('Mul', [rotated, sin])]);
  };

  // Additive mask [B, 1, 1, S, T]: causal over absolute positions and the attention_mask's padding.
  const seqLen = g.op1('Gather', [g.op1('Shape', [embeds]), g.constI([1])], { axis: 0 });
  const totalLen = g.op1('Gather', [g.op1('Shape', [mask]), g.constI([1])], { axis: 0 });
  const pastLen = g.op1('Sub', [totalLen, seqLen]);
  const scalar = (v: string) => g.op1('Squeeze', [v, g.constI([0])]);
  const kIdx = g.op1('Range', [g.constI([0], []), scalar(totalLen), g.constI([1], [])]);
  const qIdx = g.op1('Range', [scalar(pastLen), scalar(totalLen), g.constI([1], [])]);
  const causal = g.op1('LessOrEqual', [
    g.op1('Unsqueeze', [kIdx, g.constI([0])]),
    g.op1('Unsqueeze', [qIdx, g.constI([1])]),
  ]); // [S, T]
  const keep = g.op1('Equal', [mask, g.constI([1], [])]); // [B, T]
  const allowed = g.op1('And', [causal, g.op1('Unsqueeze', [keep, g.constI([1, 2, 3])])]);
  const maskBias = g.op1('Where', [allowed, g.constF([0], []), g.constF([NEG], [])]);

  let x = embeds;
  for (let l = 0; l < t.layers; l++) {
    const p = `model.layers.${l}`;
    const xn = rmsNorm(g, x, ones(g, `${p}.input_layernorm.weight`, H));
    const proj = (name: string, outDim: number, withBias: boolean) =>
      g.linear(
        xn,
        `${p}.self_attn.${name}.weight`,
        w(`${p}.${name}`, H * outDim, 1 / Math.sqrt(H)),
        H,
        outDim,
        withBias ? w(`${p}.${name}.bias`, outDim, 0.02) : undefined,
      );
    const heads = (v: string, n: number) =>
      g.op1('Transpose', [g.op1('Reshape', [v, g.constI([0, 0, n, hd])])], { perm: [0, 2, 1, 3] });
    const q = rope(heads(proj('q_proj', nh * hd, true), nh));
    const k = rope(heads(proj('k_proj', kvh * hd, true), kvh));
    const v = heads(proj('v_proj', kvh * hd, true), kvh);
    const pk = past[l];
    if (!pk) throw new Error('missing past');
    const kAll = g.op1('Concat', [pk.key, k], { axis: 2 }, `present.${l}.key`);
    const vAll = g.op1('Concat', [pk.value, v], { axis: 2 }, `present.${l}.value`);
    g.output(`present.${l}.key`, 'float', ['batch_size', kvh, 'total_sequence_length', hd]);
    g.output(`present.${l}.value`, 'float', ['batch_size', kvh, 'total_sequence_length', hd]);

    // Grouped-query attention by broadcasting: q [B, kvh, groups, S, hd] against k [B, kvh, 1, T, hd].
    const q5 = g.op1('Reshape', [q, g.constI([0, kvh, groups, -1, hd])]);
    const kT = g.op1('Transpose', [g.op1('Unsqueeze', [kAll, g.constI([2])])], { perm: [0, 1, 2, 4, 3] });
    const scores = g.op1('Add', [
      g.op1('Mul', [g.op1('MatMul', [q5, kT]), g.constF([1 / Math.sqrt(hd)], [])]),
      maskBias,
    ]);
    const probs = g.op1('Softmax', [scores], { axis: -1 });
    const ctx = g.op1('MatMul', [probs, g.op1('Unsqueeze', [vAll, g.constI([2])])]); // [B, kvh, groups, S, hd]
    const merged = g.op1('Reshape', [
      g.op1('Transpose', [g.op1('Reshape', [ctx, g.constI([0, nh, -1, hd])])], { perm: [0, 2, 1, 3] }),
      g.constI([0, 0, nh * hd]),
    ]);
    const o = g.linear(
      merged,
      `${p}.self_attn.o_proj.weight`,
      w(`${p}.o_proj`, nh * hd * H, 1 / Math.sqrt(nh * hd)),
      nh * hd,
      H,
    );
    x = g.op1('Add', [x, o]);

    const xn2 = rmsNorm(g, x, ones(g, `${p}.post_attention_layernorm.weight`, H));
    const I = t.intermediate;
    const gate = g.linear(xn2, `${p}.mlp.gate_proj.weight`, w(`${p}.gate`, H * I, 1 / Math.sqrt(H)), H, I);
    const up = g.linear(xn2, `${p}.mlp.up_proj.weight`, w(`${p}.up`, H * I, 1 / Math.sqrt(H)), H, I);
    const act = g.op1('Mul', [g.op1('Mul', [gate, g.op1('Sigmoid', [gate])]), up]);
    const down = g.linear(act, `${p}.mlp.down_proj.weight`, w(`${p}.down`, I * H, 1 / Math.sqrt(I)), I, H);
    x = g.op1('Add', [x, down]);
  }

  // num_logits_to_keep (the convention transformers.js reads): k > 0 keeps the last k positions, 0 all.
  // A prompt prefill needs one row of logits, not one per prompt token: with a 152k vocabulary the
  // lm_head over every image token would cost more than the rest of the decoder.
  const last = (v: string) => (logitsToKeep ? keepLast(g, v, logitsToKeep) : v);
  const xf = last(rmsNorm(g, x, ones(g, 'model.norm.weight', H)));
  const lm = w('lm_head', H * t.vocabRows, t.logitScale / Math.sqrt(H));
  if (!bigram) {
    g.linear(xf, 'lm_head.weight', lm, H, t.vocabRows, bias, 'logits');
  } else {
    const head = g.linear(xf, 'lm_head.weight', lm, H, t.vocabRows, bias);
    const w2 = g.initializer('bigram_head.weight', 'float', [H, t.vocabRows], bigram);
    g.op1('Add', [head, g.op1('MatMul', [last(embeds), w2])], {}, 'logits');
  }
  g.output('logits', 'float', ['batch_size', logitsToKeep ? 'num_logits' : 'sequence_length', t.vocabRows]);
  return g.encode();
}

/**
 * W [H, rows] with e_from @ W = value · onehot(to) for every pair, exactly (least-norm solution
 * W = Eᵀ (E Eᵀ)⁻¹ T over the `from` embeddings E); other inputs get a small projection of it.
 */
export function bigramHead(
  spec: ModelSpec,
  table: Float32Array,
  idOf: (t: string) => number,
): Float32Array | null {
  const b = spec.bigram;
  if (!b) return null;
  const H = spec.text.hidden;
  const rows = spec.text.vocabRows;
  const E = b.pairs.map(([from]) => table.subarray(idOf(from) * H, (idOf(from) + 1) * H));
  const k = E.length;
  const G = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => dot(E[i], E[j])));
  const inv = invert(G);
  const W = new Float32Array(H * rows);
  b.pairs.forEach(([, to], j) => {
    const col = idOf(to);
    for (let h = 0; h < H; h++) {
      let v = 0;
      for (let i = 0; i < k; i++) v += (E[i]?.[h] ?? 0) * (inv[i]?.[j] ?? 0);
      W[h * rows + col] = (W[h * rows + col] ?? 0) + b.value * v;
    }
  });
  return W;
}

function dot(a: Float32Array | undefined, b: Float32Array | undefined): number {
  let s = 0;
  for (let i = 0; i < (a?.length ?? 0); i++) s += (a?.[i] ?? 0) * (b?.[i] ?? 0);
  return s;
}

/** Gauss-Jordan inverse of a small symmetric positive-definite matrix. */
function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const pivot = a[c]?.[c] ?? 0;
    if (Math.abs(pivot) < 1e-12) throw new Error('bigram head: embeddings are linearly dependent');
    const row = a[c] ?? [];
    for (let j = 0; j < 2 * n; j++) row[j] = (row[j] ?? 0) / pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]?.[c] ?? 0;
      const target = a[r] ?? [];
      for (let j = 0; j < 2 * n; j++) target[j] = (target[j] ?? 0) - f * (row[j] ?? 0);
    }
  }
  return a.map((row) => row.slice(n));
}
