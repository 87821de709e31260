/**
 * The benchmark's parity anchor: one model through transformers.js `generate()` (greedy,
 * repetition_penalty 1), loaded exactly as the engine's model workers load theirs. It times every
 * generated token with a streamer. Not used by the app itself.
 */
import * as Comlink from 'comlink';
import { BaseStreamer, RawImage, Tensor } from '@huggingface/transformers';
import { loadModel, type LoadedModel } from '../models/load';
import type { ReferenceRequest, ReferenceResult, ReferenceWorkerApi } from './reference';
import type { ImagePayload } from '../core/protocol';

/** Records when generate() hands over each batch of tokens; the first call is the prompt. */
class TimingStreamer extends BaseStreamer {
  readonly times: number[] = [];
  override put(_value: bigint[][]): void {
    this.times.push(performance.now());
  }
  override end(): void {}
}

/** Loaded models by request key: two, so that the bench can alternate two graphs of one model. */
const cached = new Map<string, LoadedModel>();
const KEEP = 2;

async function model(req: ReferenceRequest): Promise<{ loaded: LoadedModel; loadMs: number }> {
  const key = JSON.stringify([req.modelUrl, req.backend, req.dtype ?? null, req.wasmThreads ?? null]);
  const hit = cached.get(key);
  if (hit) return { loaded: hit, loadMs: 0 };
  while (cached.size >= KEEP) {
    const [oldest, m] = cached.entries().next().value ?? [];
    if (oldest === undefined) break;
    cached.delete(oldest);
    await m?.model.dispose();
  }
  const t0 = performance.now();
  const name = req.modelUrl.replace(/\/+$/, '').split('/').pop() ?? 'model';
  const loaded = await loadModel(
    { role: 'base', name, source: { kind: 'url', baseUrl: req.modelUrl, dtype: req.dtype ?? 'q4' } },
    {
      backend: req.backend,
      ...(req.dtype ? { dtype: req.dtype } : {}),
      ...(req.wasmThreads ? { wasmThreads: req.wasmThreads } : {}),
    },
    () => undefined,
  );
  cached.set(key, loaded);
  return { loaded, loadMs: performance.now() - t0 };
}

async function dispose(): Promise<void> {
  const models = [...cached.values()];
  cached.clear();
  for (const m of models) await m.model.dispose();
}

const api: ReferenceWorkerApi = {
  async generate(req: ReferenceRequest, image: ImagePayload | null): Promise<ReferenceResult> {
    const { loaded, loadMs } = await model(req);
    const { model: m, processor } = loaded;
    const messages = [
      {
        role: 'user',
        content: [...(image ? [{ type: 'image' }] : []), { type: 'text', text: req.question }],
      },
    ];
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
    if (typeof text !== 'string') throw new Error('chat template did not render text');
    const inputs = image
      ? await processor(text, new RawImage(new Uint8ClampedArray(image.rgba), image.width, image.height, 4))
      : await processor(text);
    const promptIds = Array.from(inputs.input_ids.data as BigInt64Array, Number);
    const streamer = new TimingStreamer();
    const t0 = performance.now();
    const out = await m.generate({
      ...inputs,
      max_new_tokens: req.maxNewTokens,
      do_sample: false,
      repetition_penalty: 1,
      streamer,
    });
    const total = performance.now() - t0;
    if (!(out instanceof Tensor)) throw new Error('generate() returned no tensor');
    const row = (out.tolist() as bigint[][])[0] ?? [];
    const ids = row.slice(promptIds.length).map(Number);
    const [, first, ...rest] = streamer.times;
    const steps: number[] = [];
    let prev = first ?? t0;
    for (const t of rest) {
      steps.push(t - prev);
      prev = t;
    }
    return {
      backend: loaded.backend.backend,
      prompt_ids: promptIds,
      token_ids: ids,
      text: processor.tokenizer?.decode(ids, { skip_special_tokens: false }) ?? '',
      load_ms: loadMs,
      first_token_ms: first === undefined ? total : first - t0,
      step_ms: steps,
      total_ms: total,
    };
  },
  dispose,
};

Comlink.expose(api);
