/** In-thread engine over the real generated tiny trio (onnxruntime-node via transformers.js), for Node tests. */
import { resolve } from 'node:path';
import { Engine, type EngineHooks } from '../coordinator/engine';
import { ModelHost } from '../model/host';
import type { ModelRole } from '../../src/core/presets';
import type {
  ImagePayload,
  ModelSpecifier,
  ModelWorkerApi,
  RunEvent,
  RunRequest,
} from '../../src/core/protocol';
import { GREEDY } from '../../src/core/sampling';

const MODELS = resolve('public/models');

export function tinyTrio(dtype: 'fp32' | 'q4' | 'q8' = 'fp32', expert = 'tiny-expert'): ModelSpecifier[] {
  return familyTrio('tiny', dtype, expert);
}

/** A generated trio by name prefix: `tiny` (Qwen2.5-VL), `tiny2` (Qwen2-VL), `tiny3` (Qwen3-VL). */
export function familyTrio(prefix: 'tiny' | 'tiny2' | 'tiny3', dtype: 'fp32' | 'q4' | 'q8' = 'fp32', expert = `${prefix}-expert`): ModelSpecifier[] {
  const spec = (role: ModelRole, name: string): ModelSpecifier => ({
    role,
    name,
    source: { kind: 'url', baseUrl: `${MODELS}/${name}`, dtype },
  });
  return [spec('base', `${prefix}-base`), spec('expert', expert), spec('amateur', `${prefix}-amateur`)];
}

/** `hooks` run synchronously inside the decode loop: a test acts on an exact token index. */
export function newEngine(hosts: ModelHost[] = [], hooks: EngineHooks = {}, options: { mergeKernel?: boolean } = {}): Engine {
  return new Engine(
    () => {
      const host = new ModelHost();
      hosts.push(host);
      return { api: host, terminate: () => undefined };
    },
    hooks,
    options,
  );
}

export function testImage(w = 90, h = 60, seed = 1): ImagePayload {
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = i % 4 === 3 ? 255 : (i * 37 + seed * 101 + (i >> 9)) % 256;
  return { width: w, height: h, rgba, key: `test-${w}x${h}-${seed}` };
}

export function request(over: Partial<RunRequest> = {}): RunRequest {
  return {
    mode: 'guided',
    alpha: 0.5,
    sampling: GREEDY,
    maxNewTokens: 16,
    question: 'What is the area of the triangle?',
    image: testImage(),
    ...over,
  };
}

export interface StreamResult {
  ids: number[];
  alphas: number[];
  text: string;
  reason: string | undefined;
}

/** Runs and collects per-stream ids, α per token, final text and stop reason. */
export async function collect(
  engine: Engine,
  req: RunRequest,
  onToken?: (index: number) => void,
): Promise<{ streams: Record<string, StreamResult>; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const streams: Record<string, StreamResult> = {};
  await engine.run(req, (batch) => {
    for (const e of batch) {
      events.push(e);
      if (e.type === 'token') {
        const s = (streams[e.stream] ??= { ids: [], alphas: [], text: '', reason: undefined });
        s.ids.push(e.id);
        s.alphas.push(e.alpha);
        onToken?.(e.index);
      } else if (e.type === 'stream-done') {
        const s = (streams[e.stream] ??= { ids: [], alphas: [], text: '', reason: undefined });
        s.text = e.text;
        s.reason = e.reason;
      }
    }
  });
  return { streams, events };
}

/** A real in-thread model whose calls can be replaced one by one (to make a model fail on cue). */
export function hostApi(host: ModelHost, over: Partial<ModelWorkerApi> = {}): ModelWorkerApi {
  return {
    load: (spec, options, onProgress) => host.load(spec, options, onProgress),
    measure: (r) => host.measure(r),
    prefill: (r) => host.prefill(r),
    step: (t) => host.step(t),
    extend: (r) => host.extend(r),
    prefillRaw: (r) => host.prefillRaw(r),
    preprocess: (image) => host.preprocess(image),
    reset: () => host.reset(),
    stats: () => host.stats(),
    decode: (ids) => host.decode(ids),
    dispose: () => host.dispose(),
    injectFault: (n, kind) => host.injectFault(n, kind),
    ...over,
  };
}
