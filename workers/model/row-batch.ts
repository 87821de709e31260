/**
 * The decode batch of one model: one row per stream, all rows through one forward per token. Each
 * row has its own ids, attention mask and M-RoPE position, so one row can take an extension
 * (VisionThink's full image) while the others sit it out as masked padding.
 */
import { Tensor, type Qwen2VLForConditionalGeneration } from '@huggingface/transformers';
import { copyLogits } from '../../src/core/half';
import type { ExtendRequest, ModelStats } from '../../src/core/protocol';
import { disposeReplaced, tile } from './kv-cache';
import type { PromptCache } from './prompt';
import { ropePositions } from './rope';
import { logitsData, readLogits, toBig } from './tensors';
import { embedExtension, type ImageInputs } from './vision';

/** One row of the decode batch: what it has seen, which cache slots are real, where it is. */
interface Row {
  ids: number[];
  grids: bigint[][];
  /** 1 for cache slots this row attends to, 0 for padding (a row that sat out an extension). */
  mask: number[];
  nextPosition: number;
}

export class RowBatch {
  private constructor(
    private readonly rows: Row[],
    private cache: Record<string, Tensor>,
    private pastLength: number,
    /** Each row's next-token logits (`vocabRows` each), in the coordinator's shared buffer. */
    private readonly logits: Float32Array,
  ) {}

  /** `rows` rows from the prompt's cache (tiled), each with the prompt's last logits in `buffer` from byte `offset`. */
  static fromPrompt(p: PromptCache, rows: number, buffer: SharedArrayBuffer, offset: number, vocabRows: number): RowBatch {
    const cache: Record<string, Tensor> = {};
    for (const [name, t] of p.presents) cache[name.replace('present', 'past_key_values')] = tile(t, rows);
    const logits = new Float32Array(buffer, offset, rows * vocabRows);
    for (let r = 0; r < rows; r++) logits.set(p.lastLogits, r * vocabRows);
    return new RowBatch(
      Array.from({ length: rows }, () => ({
        ids: [...p.ids],
        grids: p.grids.map((g) => [...g]),
        mask: new Array<number>(p.length).fill(1),
        nextPosition: p.nextPosition,
      })),
      cache,
      p.length,
      logits,
    );
  }

  /** One token per row through the decoder; the rows' logits land in the shared buffer. */
  async step(
    model: Qwen2VLForConditionalGeneration,
    tokens: Int32Array,
    counters: ModelStats,
  ): Promise<void> {
    const n = this.rows.length;
    if (tokens.length !== n) throw new Error(`step() got ${tokens.length} tokens for ${n} streams`);
    const input_ids = new Tensor(
      'int64',
      BigInt64Array.from(tokens, (t) => BigInt(t)),
      [n, 1],
    );
    const inputs_embeds = await model.encode_text({ input_ids });
    const total = this.pastLength + 1;
    const mask = new BigInt64Array(n * total);
    const positions = new BigInt64Array(3 * n);
    this.rows.forEach((row, r) => {
      row.mask.push(1);
      row.mask.forEach((m, j) => (mask[r * total + j] = BigInt(m)));
      for (let axis = 0; axis < 3; axis++) positions[axis * n + r] = BigInt(row.nextPosition);
      row.nextPosition += 1;
      row.ids.push(tokens[r] ?? 0);
    });
    const out = await model.forward({
      inputs_embeds,
      attention_mask: new Tensor('int64', mask, [n, total]),
      position_ids: new Tensor('int64', positions, [3, n, 1]),
      past_key_values: this.cache,
    });
    this.takeCache(out, total);
    const logits = readLogits(out);
    const vocab = logits.dims.at(-1) ?? 0;
    copyLogits(logitsData(logits), 0, n * vocab, this.logits, 0);
    counters.decoderSteps += 1;
    counters.decoderRows += n;
  }

  /**
   * VisionThink escalation: escalating rows get their pending token + the tool-response turn with the
   * full image (`inputs`), prefilled on top of their cache; the other rows get their pending token and
   * masked padding, so the batch stays one tensor.
   */
  async extend(
    model: Qwen2VLForConditionalGeneration,
    req: Pick<ExtendRequest, 'rows' | 'pending'>,
    inputs: ImageInputs,
    counters: ModelStats,
  ): Promise<{ visionTokens: number; ids: number[] }> {
    const n = this.rows.length;
    const extIds = Array.from(inputs.input_ids.data, Number);
    const grid = Array.from(inputs.image_grid_thw.data, toBig);
    const L = 1 + extIds.length;
    const ids = new BigInt64Array(n * L);
    const positions = new BigInt64Array(3 * n * L);
    const total = this.pastLength + L;
    const mask = new BigInt64Array(n * total);
    const escalating = new Set(req.rows);
    this.rows.forEach((row, r) => {
      const pending = req.pending[r] ?? 0;
      ids[r * L] = BigInt(pending);
      if (escalating.has(r)) {
        extIds.forEach((id, j) => (ids[r * L + 1 + j] = BigInt(id)));
        row.ids.push(pending, ...extIds);
        row.grids.push(grid);
        const { positions: all, next } = ropePositions(model, row.ids, row.grids);
        const len = row.ids.length;
        for (let axis = 0; axis < 3; axis++) {
          for (let j = 0; j < L; j++)
            positions[(axis * n + r) * L + j] = all[axis * len + (len - L + j)] ?? 0n;
        }
        row.nextPosition = next;
        row.mask.push(...new Array<number>(L).fill(1));
      } else {
        for (let axis = 0; axis < 3; axis++)
          for (let j = 0; j < L; j++) positions[(axis * n + r) * L + j] = BigInt(row.nextPosition);
        row.ids.push(pending);
        row.nextPosition += 1;
        row.mask.push(1, ...new Array<number>(L - 1).fill(0));
      }
      row.mask.forEach((m, j) => (mask[r * total + j] = BigInt(m)));
    });
    // Image features replace the placeholders of the escalating rows only.
    const { inputs_embeds, visionTokens } = await embedExtension(
      model,
      new Tensor('int64', ids, [n, L]),
      req.rows,
      inputs.pixel_values,
      inputs.image_grid_thw,
      counters,
    );
    const out = await model.forward({
      inputs_embeds,
      attention_mask: new Tensor('int64', mask, [n, total]),
      position_ids: new Tensor('int64', positions, [3, n, L]),
      past_key_values: this.cache,
    });
    this.takeCache(out, total);
    const logits = readLogits(out);
    const vocab = logits.dims.at(-1) ?? 0;
    const data = logitsData(logits);
    for (let r = 0; r < n; r++) {
      const last = escalating.has(r) ? L - 1 : 0;
      copyLogits(data, (r * L + last) * vocab, vocab, this.logits, r * vocab);
    }
    counters.decoderSteps += 1;
    counters.decoderRows += n;
    return { visionTokens, ids: extIds };
  }

  /** Releases the cache's GPU buffers; the batch is not used after. */
  release(): void {
    disposeReplaced(this.cache, {});
  }

  private takeCache(out: Record<string, unknown>, total: number): void {
    const next: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present') && t instanceof Tensor)
        next[name.replace('present', 'past_key_values')] = t;
    }
    disposeReplaced(this.cache, next);
    this.cache = next;
    this.pastLength = total;
  }
}
