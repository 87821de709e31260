/**
 * `window.proxyThinker`: a programmatic handle on the same engine the page uses, for the headless
 * CLI, the benchmark and end-to-end tests. It drives the coordinator exactly as the UI does.
 */
import { findPreset, MODEL_ROLES, presetSource, type Dtype, type ModelRole } from '../core/presets';
import type {
  BackendChoice,
  LoadEvent,
  LoadOptions,
  LoopStats,
  ModelInfo,
  ModelSpecifier,
  FaultKind,
  Resolution,
  RunCheck,
  RunMemory,
  RunEvent,
  RunRequest,
  StreamName,
} from '../core/protocol';
import { coordinator } from './coordinator';
import { evaluateItem, type ItemOutcome } from './evalItem';
import type { EvalSettings } from '../core/eval/outputs';
import type { EvalItem } from '../core/eval/types';
import { imageFromBlob } from './image';
import { referenceDispose, referenceGenerate } from './reference';

export interface AutomationLoad {
  /** A preset id, one folder URL per role, or the models themselves (any source: hub or mirror, URL, picked folder). */
  trio: string | Record<ModelRole, string> | ModelSpecifier[];
  backend: BackendChoice;
  dtype?: Dtype;
  /** 'single-thread': all models inside the coordinator, stepped one after another (the bench's naive loop). */
  placement?: LoadOptions['placement'];
  /** onnxruntime WASM threads per model worker. */
  wasmThreads?: number;
  wasmThreadsByRole?: LoadOptions['wasmThreadsByRole'];
  stepping?: LoadOptions['stepping'];
  /** Caps each model's WebAssembly heap (MiB); the engine plans runs against it. */
  memoryLimitMB?: number;
}

export interface AutomationRun extends Omit<RunRequest, 'image'> {
  /** URL of the image to use (same origin), or null for text only. */
  imageUrl: string | null;
  /** Change α when the guided stream reaches this token index (for tests of live α). */
  alphaAt?: { index: number; alpha: number };
  /** Cancel when any stream reaches this token index. */
  cancelAt?: number;
}

export interface StreamOutput {
  token_ids: number[];
  text: string;
  alpha: number[];
  reason: string | null;
  error: { name: string; message: string } | null;
}

/** VisionThink bookkeeping of one run: the visual tokens each model encoded at each resolution. */
export interface ResolutionOutcome {
  mode: Resolution;
  /** Guided-stream token index of the resize_image call that escalated, or null. */
  escalated_at_token: number | null;
  /** Per model: visual tokens encoded at half size and at full size (0 = that resolution never used). */
  visual_tokens: Partial<Record<ModelRole, { low: number; full: number }>>;
  /** Image sizes given to the models: [width, height], null when that resolution was not used. */
  image: { low: [number, number] | null; full: [number, number] | null };
}

export interface AutomationResult {
  resolution: ResolutionOutcome | null;
  prompt_ids: Partial<Record<ModelRole, number[]>>;
  streams: Partial<Record<StreamName, StreamOutput>>;
  /** α sweep (RunRequest.alphas): the guided stream of each α, in the order given. */
  sweep: StreamOutput[];
  prefill_ms: number;
  prefill_reused: boolean;
  total_ms: number;
  /** Per model: step times in ms for every token after the first. */
  step_ms: Partial<Record<ModelRole, number[]>>;
  /** Fetching and decoding the image, before the engine is called (not part of total_ms). */
  image_ms: number;
  /** From the engine call to the first token event reaching the page (events are batched per ~16 ms). */
  first_token_ms: number | null;
  /** The engine's own run time ('done' event). */
  engine_ms: number | null;
  /** Where the decode loop's time went ('done' event): steps, coordinator work, waiting for the models. */
  loop: LoopStats | null;
  /** Each model's memory plan ('started' event): estimated peak, what was free, prefill pieces. */
  memory: Partial<Record<ModelRole, RunMemory>>;
}

export function trioSpecifiers(trio: AutomationLoad['trio'], dtype?: Dtype): ModelSpecifier[] {
  if (Array.isArray(trio)) return trio;
  if (typeof trio === 'string') {
    const p = findPreset(trio);
    return MODEL_ROLES.map((role) => ({ role, name: p.models[role].name, source: presetSource(p.models[role], dtype) }));
  }
  return MODEL_ROLES.map((role) => {
    const baseUrl = trio[role];
    return {
      role,
      name: baseUrl.replace(/\/+$/, '').split('/').pop() ?? role,
      source: { kind: 'url', baseUrl, dtype: dtype ?? 'q4' },
    };
  });
}

function startedResolution(e: Extract<RunEvent, { type: 'started' }>): ResolutionOutcome {
  const low = e.resolution !== 'full';
  const visual: ResolutionOutcome['visual_tokens'] = {};
  for (const role of MODEL_ROLES) {
    const n = e.visualTokens[role];
    if (n !== undefined) visual[role] = low ? { low: n, full: 0 } : { low: 0, full: n };
  }
  return {
    mode: e.resolution,
    escalated_at_token: null,
    visual_tokens: visual,
    image: { low: low ? e.image : null, full: low ? null : e.image },
  };
}

export const automation = {
  async load(opts: AutomationLoad, onEvent?: (e: LoadEvent) => void): Promise<ModelInfo[]> {
    const events: LoadEvent[] = [];
    const options: LoadOptions = {
      backend: opts.backend,
      ...(opts.dtype ? { dtype: opts.dtype } : {}),
      ...(opts.placement ? { placement: opts.placement } : {}),
      ...(opts.wasmThreads ? { wasmThreads: opts.wasmThreads } : {}),
      ...(opts.wasmThreadsByRole ? { wasmThreadsByRole: opts.wasmThreadsByRole } : {}),
      ...(opts.stepping ? { stepping: opts.stepping } : {}),
      ...(opts.memoryLimitMB ? { memoryLimitMB: opts.memoryLimitMB } : {}),
    };
    return coordinator().loadTrio(trioSpecifiers(opts.trio, opts.dtype), options, (e) => {
      events.push(e);
      onEvent?.(e);
    });
  },

  async run(opts: AutomationRun): Promise<AutomationResult> {
    const { imageUrl, alphaAt, cancelAt, ...rest } = opts;
    const tImage = performance.now();
    let image = null;
    if (imageUrl) {
      const res = await fetch(imageUrl);
      if (!res.ok) throw new Error(`image ${imageUrl}: HTTP ${res.status}`);
      image = await imageFromBlob(await res.blob(), imageUrl);
    }
    const result: AutomationResult = {
      resolution: null,
      prompt_ids: {},
      streams: {},
      sweep: [],
      prefill_ms: 0,
      prefill_reused: false,
      total_ms: 0,
      step_ms: {},
      image_ms: performance.now() - tImage,
      first_token_ms: null,
      engine_ms: null,
      loop: null,
      memory: {},
    };
    const blank = (): StreamOutput => ({ token_ids: [], text: '', alpha: [], reason: null, error: null });
    const stream = (name: StreamName, sweep?: number): StreamOutput =>
      sweep === undefined ? (result.streams[name] ??= blank()) : (result.sweep[sweep] ??= blank());
    const client = coordinator();
    const t0 = performance.now();
    const onEvents = (batch: RunEvent[]) => {
      for (const e of batch) {
        if (e.type === 'started') {
          result.prompt_ids = e.promptIds;
          result.prefill_ms = e.prefillMs;
          result.prefill_reused = e.reused;
          result.resolution = startedResolution(e);
          result.memory = e.memory;
        } else if (e.type === 'escalated') {
          const r = result.resolution;
          if (r) {
            r.escalated_at_token = e.atIndex;
            r.image = { low: e.image.low, full: e.image.full };
            for (const role of MODEL_ROLES) {
              const v = e.visualTokens[role];
              if (v) r.visual_tokens[role] = { low: v.low, full: v.full };
            }
          }
        } else if (e.type === 'token') {
          result.first_token_ms ??= performance.now() - t0;
          const s = stream(e.stream, e.sweep);
          s.token_ids.push(e.id);
          s.text += e.delta;
          s.alpha.push(e.alpha);
          for (const role of MODEL_ROLES) {
            const ms = e.timings[role];
            if (e.index > 0 && ms !== undefined) (result.step_ms[role] ??= []).push(ms);
          }
          if (alphaAt && e.stream !== 'base' && e.index === alphaAt.index)
            void client.setAlpha(alphaAt.alpha);
          if (cancelAt !== undefined && e.index === cancelAt) void client.cancel();
        } else if (e.type === 'stream-done') {
          const s = stream(e.stream, e.sweep);
          s.text = e.text;
          s.reason = e.reason;
        } else if (e.type === 'error' && e.stream) {
          stream(e.stream, e.sweep).error = { name: e.error.name, message: e.error.message };
        } else if (e.type === 'done') {
          result.engine_ms = e.ms;
          result.loop = e.loop;
        }
      }
    };
    await client.run({ ...rest, image }, onEvents);
    result.total_ms = performance.now() - t0;
    return result;
  },

  /** One evaluation item (scored), for `npm run eval`: the image from a same-origin URL. */
  evalItem: (opts: { item: EvalItem; imageUrl: string; settings: EvalSettings }): Promise<ItemOutcome> =>
    evaluateItem(opts.item, opts.imageUrl, opts.settings),

  /** Whether a run would fit (memory, context) without running anything; the image from a same-origin URL. */
  async checkRun(opts: Omit<AutomationRun, 'alphaAt' | 'cancelAt'>): Promise<RunCheck> {
    const { imageUrl, ...rest } = opts;
    const image = imageUrl ? await imageFromBlob(await (await fetch(imageUrl)).blob(), imageUrl) : null;
    return coordinator().checkRun({ ...rest, image });
  },
  /** Load again: each stopped model gets a new worker; the others stay. */
  reloadStopped: (): Promise<ModelInfo[]> => coordinator().reloadStopped(() => undefined),
  /** Diagnostics: e.g. 'out-of-memory' — the model's heap stops growing, its next large allocation fails. */
  injectFault: (role: ModelRole, kind: FaultKind, steps = 1) => coordinator().injectFault(role, steps, kind),
  setAlpha: (alpha: number) => coordinator().setAlpha(alpha),
  cancel: () => coordinator().cancel(),
  stats: () => coordinator().stats(),

  /**
   * The parity anchor of the benchmark: one model through transformers.js `generate()` (greedy,
   * repetition_penalty 1) in its own worker, loaded the same way as the engine's model workers.
   */
  referenceGenerate,
  /** Ends the reference worker (and frees its model). */
  referenceDispose,
};

declare global {
  interface Window {
    proxyThinker: typeof automation;
  }
}
