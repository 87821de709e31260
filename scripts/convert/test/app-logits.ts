/**
 * What the app computes on a converted model, through transformers.js as the model host uses it:
 * the prompt's embeddings with the image features merged in, M-RoPE positions, and the decoder's
 * logits at every position (num_logits_to_keep 0).
 */
import { AutoModelForImageTextToText, AutoProcessor, Qwen2VLForConditionalGeneration, RawImage, Tensor, env, type Processor } from '@huggingface/transformers';

export interface Prompt {
  input_ids: Tensor;
  pixel_values: Tensor;
  image_grid_thw: Tensor;
}

export interface Loaded {
  model: Qwen2VLForConditionalGeneration;
  processor: Processor;
}

export async function loadConverted(root: string, name: string, dtype: 'fp32' | 'q4' | 'fp16' | 'q4f16' | 'q8'): Promise<Loaded> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
  const processor = await AutoProcessor.from_pretrained(name);
  const model = await AutoModelForImageTextToText.from_pretrained(name, { dtype, device: 'cpu' });
  if (!(model instanceof Qwen2VLForConditionalGeneration)) throw new Error(`${name} is not a Qwen-VL model`);
  return { model, processor };
}

/** A textured image (flat colours would hide a wrong patch order). */
export function textured(w: number, h: number, seed = 1): RawImage {
  const data = new Uint8ClampedArray(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 7 + y * 3 + seed * 31) % 256;
      data[i + 1] = (x * y + seed * 17) % 256;
      data[i + 2] = ((x ^ y) * 5 + seed) % 256;
    }
  }
  return new RawImage(data, w, h, 3);
}

export async function prompt(l: Loaded, image: RawImage, question: string): Promise<Prompt> {
  const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }];
  const text = l.processor.apply_chat_template(messages, { add_generation_prompt: true });
  if (typeof text !== 'string') throw new Error('chat template gave no text');
  const inputs = await l.processor(text, image);
  return { input_ids: inputs.input_ids, pixel_values: inputs.pixel_values, image_grid_thw: inputs.image_grid_thw };
}

export async function imageFeatures(l: Loaded, p: Prompt): Promise<Tensor> {
  return l.model.encode_image({ pixel_values: p.pixel_values, image_grid_thw: p.image_grid_thw });
}

/** Logits [S, V] for every prompt position. */
export async function allLogits(l: Loaded, p: Prompt): Promise<{ data: Float32Array; dims: number[] }> {
  const { model } = l;
  const S = p.input_ids.dims[1] ?? 0;
  const attention_mask = new Tensor('int64', new BigInt64Array(S).fill(1n), [1, S]);
  let inputs_embeds: Tensor = await model.encode_text({ input_ids: p.input_ids });
  const image_features = await imageFeatures(l, p);
  ({ inputs_embeds } = model._merge_input_ids_with_image_features({ image_features, inputs_embeds, input_ids: p.input_ids, attention_mask }));
  const [position_ids] = model.get_rope_index(p.input_ids, p.image_grid_thw, new Tensor('int64', new BigInt64Array(0), [0, 3]), attention_mask);
  const out = await model.forward({ inputs_embeds, attention_mask, position_ids, past_key_values: null, num_logits_to_keep: new Tensor('int64', [0n], []) });
  const logits = out['logits'];
  if (!(logits instanceof Tensor)) throw new Error('no logits');
  const data: unknown = logits.data;
  if (!(data instanceof Float32Array)) throw new Error(`logits are ${logits.type}`);
  return { data, dims: logits.dims.slice(1) };
}
