/**
 * embed_tokens: input_ids [B, S] → inputs_embeds [B, S, H] (float32). fp32/fp16 files gather rows
 * of the table; q4/q4f16 files gather 4-bit rows (MatMulNBits' packing along H, block 32, with
 * zero points) and dequantise them with standard ops, so they run on every backend; q8 files too.
 */
import { Graph } from '../onnx/graph';
import { embedWidth, type TextDesc, type WeightFormat } from '../model-desc';
import { Q4_BLOCK } from '../quantize';
import { zerosOf } from './ops';
import { Ctx, type QuantOptions, type WeightSource } from './weights';

const TABLE = 'model.embed_tokens.weight';

export function buildEmbedTokens(t: TextDesc, fmt: WeightFormat, src: WeightSource, quant: QuantOptions = {}): Graph {
  const g = new Graph('embed_tokens');
  const c = new Ctx(g, fmt, src, quant);
  const { hidden: H, vocabRows: V } = t;
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  g.output('inputs_embeds', 'float', ['batch_size', 'sequence_length', embedWidth(t)]);
  c.expect(TABLE, [V, H], 'text config vocab_size / hidden_size');
  // DeepStack's slots (Qwen3-VL) follow the embedding as zeros: only image features fill them.
  const finish = (rows: string) => {
    if (t.deepstackLayers === 0) return g.op1('Identity', [rows], {}, 'inputs_embeds');
    return g.op1('Pad', [rows, g.constI([0, 0, 0, 0, 0, t.deepstackLayers * H])], { mode: 'constant' }, 'inputs_embeds');
  };

  // q8 files keep the table in 4 bits: a gather has no matmul to speed up, and 8 bits would only cost memory.
  if (!c.quantized && fmt !== 'q8') {
    const table = g.lazy(TABLE, c.ct, [V, H], async () => c.floatBytes(await src.read(TABLE)));
    const rows = g.op1('Gather', [table, ids], { axis: 0 });
    finish(c.ct === 'float' ? rows : g.op1('Cast', [rows], { to: 1 }));
    return g;
  }

  const blocks = Math.ceil(H / Q4_BLOCK);
  const zeroBytes = Math.ceil(blocks / 2);
  const q = c.q4(TABLE, V, H, c.zeroPoints ? 3 : 2);
  const packed = g.lazy(`${TABLE}_Q4`, 'uint8', [V, blocks * (Q4_BLOCK / 2)], async () => (await q()).packed);
  const scales = g.lazy(`${TABLE}_scales`, c.ct, [V, blocks], async () => c.floatBytes((await q()).scales));

  const last = g.constI([-1]);
  const nibbles = (bytes: string) => {
    const f = g.op1('Cast', [bytes], { to: 1 });
    const hi = g.op1('Floor', [g.op1('Div', [f, g.constF([16], [])])]);
    const lo = g.op1('Sub', [f, g.op1('Mul', [hi, g.constF([16], [])])]);
    // [B, S, n] → [B, S, 2n] with each byte's low nibble first.
    const pairs = g.op1('Concat', [g.op1('Unsqueeze', [lo, last]), g.op1('Unsqueeze', [hi, last])], { axis: -1 });
    return g.op1('Reshape', [pairs, g.constI([0, 0, -1])]);
  };
  const values = g.op1('Reshape', [nibbles(g.op1('Gather', [packed, ids], { axis: 0 })), g.constI([0, 0, blocks, Q4_BLOCK])]);
  // Symmetric blocks sit around 8; asymmetric ones carry a 4-bit zero point per block.
  const zp = c.zeroPoints
    ? g.op1('Slice', [nibbles(g.op1('Gather', [g.lazy(`${TABLE}_zp`, 'uint8', [V, zeroBytes], async () => zerosOf(TABLE, await q())), ids], { axis: 0 })), g.constI([0]), g.constI([blocks]), g.constI([2])])
    : g.constF([8], [1]);
  const scale = g.op1('Cast', [g.op1('Gather', [scales, ids], { axis: 0 })], { to: 1 });
  const deq = g.op1('Mul', [g.op1('Sub', [values, g.op1('Unsqueeze', [zp, last])]), g.op1('Unsqueeze', [scale, last])]);
  const flat = g.op1('Reshape', [deq, g.constI([0, 0, blocks * Q4_BLOCK])]);
  finish(blocks * Q4_BLOCK === H ? flat : g.op1('Slice', [flat, g.constI([0]), g.constI([H]), g.constI([2])]));
  return g;
}
