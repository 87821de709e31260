/** M-RoPE: the 3-axis positions (time, height, width) Qwen2-VL-family decoders take for every id. */
import { Tensor, ones, type Qwen2VLForConditionalGeneration } from '@huggingface/transformers';

const NO_VIDEOS = new Tensor('int64', new BigInt64Array(0), [0, 3]);

/** M-RoPE positions of every id of a row, given its images' grids. */
export function ropePositions(
  model: Qwen2VLForConditionalGeneration,
  ids: number[],
  grids: bigint[][],
): { positions: BigInt64Array; next: number } {
  const input_ids = new Tensor(
    'int64',
    BigInt64Array.from(ids, (x) => BigInt(x)),
    [1, ids.length],
  );
  const mask = ones([1, ids.length]);
  const [position_ids, deltas] =
    grids.length > 0
      ? model.get_rope_index(
          input_ids,
          new Tensor('int64', BigInt64Array.from(grids.flat()), [grids.length, 3]),
          NO_VIDEOS,
          mask,
        )
      : model._get_text_only_rope_index(input_ids, mask);
  return {
    positions: BigInt64Array.from(position_ids.data),
    next: ids.length + Number(deltas.data[0] ?? 0),
  };
}
