/**
 * embed_tokens.onnx: `input_ids` [B, S] → `inputs_embeds` [B, S, hidden]. The fp32 file gathers
 * rows of a float table; the q4 file gathers 4-bit rows (two per byte, block 32, zero point 8 — the
 * MatMulNBits packing) and dequantises them with standard ops, so it runs on every backend.
 */
import { GraphBuilder, type WeightFormat } from './onnx-builder';
import { quantizeQ4 } from './quantize';
import { randomWeights, seedOf } from './rng';
import type { ModelSpec } from './spec';

export function embeddingTable(spec: ModelSpec): Float32Array {
  return randomWeights(spec.text.vocabRows * spec.text.hidden, 1, seedOf(spec.weightSeed, 'embed_tokens'));
}

export function buildEmbedTokens(spec: ModelSpec, format: WeightFormat): Uint8Array {
  const H = spec.text.hidden;
  const rows = spec.text.vocabRows;
  const table = embeddingTable(spec);
  const g = new GraphBuilder('embed_tokens', format);
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  g.output('inputs_embeds', 'float', ['batch_size', 'sequence_length', H]);

  if (format === 'fp32') {
    const t = g.initializer('model.embed_tokens.weight', 'float', [rows, H], table);
    g.op1('Gather', [t, ids], { axis: 0 }, 'inputs_embeds');
    return g.encode();
  }

  // quantizeQ4 blocks along K per column N: give it the table transposed ([H, rows]) so blocks run along H.
  const transposed = new Float32Array(rows * H);
  for (let r = 0; r < rows; r++) for (let h = 0; h < H; h++) transposed[h * rows + r] = table[r * H + h] ?? 0;
  const q = quantizeQ4(transposed, H, rows);
  const packed = g.initializer('model.embed_tokens.weight_Q4', 'uint8', [rows, H / 2], q.packed);
  const scales = g.initializer('model.embed_tokens.weight_scales', 'float', [rows, q.blocks], q.scales);

  const bytes = g.op1('Cast', [g.op1('Gather', [packed, ids], { axis: 0 })], { to: 1 }); // [B, S, H/2]
  const hi = g.op1('Floor', [g.op1('Div', [bytes, g.constF([16], [])])]);
  const lo = g.op1('Sub', [bytes, g.op1('Mul', [hi, g.constF([16], [])])]);
  const last = g.constI([-1]);
  const pairs = g.op1('Concat', [g.op1('Unsqueeze', [lo, last]), g.op1('Unsqueeze', [hi, last])], { axis: -1 });
  const centred = g.op1('Sub', [g.op1('Reshape', [pairs, g.constI([0, 0, q.blocks, 32])]), g.constF([8], [])]);
  const blockScales = g.op1('Unsqueeze', [g.op1('Gather', [scales, ids], { axis: 0 }), last]); // [B, S, blocks, 1]
  g.op1('Reshape', [g.op1('Mul', [centred, blockScales]), g.constI([0, 0, H])], {}, 'inputs_embeds');
  return g.encode();
}
