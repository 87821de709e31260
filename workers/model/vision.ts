/**
 * The image side of a prompt: the processor's pixels (shared with the trio's other models when their
 * processors agree), the ids with one `<|image_pad|>` per merged patch, and the vision encoder's
 * features merged into the text embeddings.
 */
import {
  RawImage,
  Tensor,
  cat,
  ones,
  type Processor,
  type Qwen2VLForConditionalGeneration,
} from '@huggingface/transformers';
import { expandImagePads, IMAGE_PAD, stableJson } from '../../src/core/pixels';
import type { ImagePayload, ModelStats, PixelPayload } from '../../src/core/protocol';
import { toBig } from './tensors';

export interface PixelSharing {
  /** The processor's settings as stable JSON: models with equal keys make equal pixels. */
  key: string;
  mergeSize: number;
}

/** An image's inputs to the model: ids with its placeholders, its pixels and patch grid. */
export interface ImageInputs {
  input_ids: Tensor;
  pixel_values: Tensor;
  image_grid_thw: Tensor;
}

export interface Encoded {
  inputs_embeds: Tensor;
  visionTokens: number;
}

/** A Qwen2-VL style processor (merge_size, one `<|image_pad|>` per merged patch) can share; others cannot. */
export function pixelSharing(processor: Processor, vocab: Map<string, number>): PixelSharing | null {
  const config: unknown = processor.image_processor?.config;
  if (typeof config !== 'object' || config === null || !('merge_size' in config)) return null;
  if (typeof config.merge_size !== 'number' || !vocab.has(IMAGE_PAD)) return null;
  return { key: stableJson(config), mergeSize: config.merge_size };
}

/** The pixels arrive in shared memory; the image processor wants its own copy to resize. */
export function toRawImage(img: ImagePayload): RawImage {
  return new RawImage(new Uint8ClampedArray(img.rgba), img.width, img.height, 4);
}

/** Runs the image processor once, into shared memory, for the trio's models with the same processor. */
export async function sharedPixels(
  processor: Processor,
  sharing: PixelSharing | null,
  name: string,
  image: ImagePayload,
  counters: ModelStats,
): Promise<PixelPayload> {
  const imageProcessor = processor.image_processor;
  if (!imageProcessor || !sharing) throw new Error(`${name} cannot share its image preprocessing`);
  const { pixel_values, image_grid_thw } = await imageProcessor(toRawImage(image));
  counters.imagesProcessed += 1;
  const src: unknown = pixel_values.data;
  const [t = 0, h = 0, w = 0] = Array.from(image_grid_thw.data, Number);
  const [patches = 0, dim = 0] = pixel_values.dims;
  if (!(src instanceof Float32Array)) throw new Error(`pixel_values are ${pixel_values.type}, not float32`);
  const values = new Float32Array(new SharedArrayBuffer(src.byteLength));
  values.set(src);
  return { values, dims: [patches, dim], grid: [t, h, w], processorKey: sharing.key, imageKey: image.key };
}

/**
 * The prompt's ids with its image: from pixels another model made when its processor has this
 * model's settings (the text side, one pad per merged patch, done here), else through this
 * model's own processor.
 */
export async function imageInputs(
  processor: Processor,
  sharing: PixelSharing | null,
  text: string,
  image: ImagePayload,
  shared: PixelPayload | undefined,
  counters: ModelStats,
): Promise<ImageInputs> {
  const tokenizer = processor.tokenizer;
  if (
    shared &&
    tokenizer &&
    sharing &&
    shared.processorKey === sharing.key &&
    shared.imageKey === image.key
  ) {
    const { input_ids } = tokenizer([expandImagePads(text, [shared.grid], sharing.mergeSize)]);
    if (!(input_ids instanceof Tensor)) throw new Error('the tokenizer returned no tensor');
    return {
      input_ids,
      // The library gets its own copy: the shared buffer is the other models' too.
      pixel_values: new Tensor('float32', shared.values.slice(), shared.dims),
      image_grid_thw: new Tensor('int64', BigInt64Array.from(shared.grid, BigInt), [1, 3]),
    };
  }
  const inputs = await processor(text, toRawImage(image));
  counters.imagesProcessed += 1;
  return {
    input_ids: inputs.input_ids,
    pixel_values: inputs.pixel_values,
    image_grid_thw: inputs.image_grid_thw,
  };
}

/** Embeds ids (image placeholders replaced by the images' features), in order. */
export async function embedPrompt(
  model: Qwen2VLForConditionalGeneration,
  input_ids: Tensor,
  pixels: { pixel_values: Tensor; image_grid_thw: Tensor }[],
  counters: ModelStats,
): Promise<Encoded> {
  let inputs_embeds: Tensor = await model.encode_text({ input_ids });
  let visionTokens = 0;
  if (pixels.length > 0) {
    const features: Tensor[] = [];
    for (const px of pixels) {
      const f: Tensor = await model.encode_image(px);
      counters.visionEncoderRuns += 1;
      features.push(f);
      visionTokens += f.dims[0] ?? 0;
    }
    counters.visionTokens += visionTokens;
    const image_features = features.length === 1 && features[0] ? features[0] : cat(features, 0);
    const attention_mask = ones([input_ids.dims[0] ?? 1, input_ids.dims[1] ?? 0]);
    ({ inputs_embeds } = model._merge_input_ids_with_image_features({
      image_features,
      inputs_embeds,
      input_ids,
      attention_mask,
    }));
  }
  return { inputs_embeds, visionTokens };
}

/** Embeds an extension of the batch [rows, L]: the image's features go to the escalating `rows` only. */
export async function embedExtension(
  model: Qwen2VLForConditionalGeneration,
  ids: Tensor,
  rows: number[],
  pixel_values: Tensor,
  image_grid_thw: Tensor,
  counters: ModelStats,
): Promise<Encoded> {
  const [n = 1, L = 0] = ids.dims;
  const imageId = BigInt(imageTokenId(model.config));
  // Rows that do not escalate carry image-token ids nowhere: only escalating rows hold placeholders.
  const escalating = new Set(rows);
  const textIds = BigInt64Array.from(ids.data, (x, i) =>
    !escalating.has(Math.floor(i / L)) && x === imageId ? 0n : toBig(x),
  );
  const inputIds = new Tensor('int64', textIds, [n, L]);
  let inputs_embeds: Tensor = await model.encode_text({ input_ids: inputIds });
  const f: Tensor = await model.encode_image({ pixel_values, image_grid_thw });
  counters.visionEncoderRuns += 1;
  const perRow = f.dims[0] ?? 0;
  counters.visionTokens += perRow;
  const features =
    rows.length === 1
      ? f
      : cat(
          rows.map(() => f),
          0,
        );
  ({ inputs_embeds } = model._merge_input_ids_with_image_features({
    image_features: features,
    inputs_embeds,
    input_ids: inputIds,
    attention_mask: ones([n, L]),
  }));
  return { inputs_embeds, visionTokens: perRow };
}

function imageTokenId(config: unknown): number {
  if (
    typeof config === 'object' &&
    config !== null &&
    'image_token_id' in config &&
    typeof config.image_token_id === 'number'
  )
    return config.image_token_id;
  throw new Error('config.json has no image_token_id');
}
