/** transformers.js generate() on one model: the parity anchor for the engine's greedy output. */
import { AutoModelForImageTextToText, AutoProcessor, RawImage, Tensor, env } from '@huggingface/transformers';
import { resolve } from 'node:path';
import type { ImagePayload } from '../../src/core/protocol';

export async function generateGreedy(name: string, question: string, image: ImagePayload, maxNewTokens: number, dtype: 'fp32' | 'q4' | 'q8' = 'fp32'): Promise<number[]> {
  env.allowLocalModels = true;
  env.localModelPath = `${resolve('public/models')}/`;
  const processor = await AutoProcessor.from_pretrained(name);
  const model = await AutoModelForImageTextToText.from_pretrained(name, { dtype, device: 'cpu' });
  const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }];
  const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
  const inputs = await processor(text, new RawImage(new Uint8ClampedArray(image.rgba), image.width, image.height, 4));
  const promptLength = inputs.input_ids.dims[1];
  const out = await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false, repetition_penalty: 1 });
  await model.dispose();
  if (!(out instanceof Tensor)) throw new Error('generate() returned no tensor');
  const row: bigint[] = out.tolist()[0];
  return row.slice(promptLength).map(Number);
}
