/**
 * The coordinator: owns the three model handles and the decode loop. Per token every model in the
 * run steps concurrently (each in its own worker), then each stream merges its rows'
 * logits — z = z_base + α·(z_expert − z_amateur) over the shared vocabulary — samples, checks its
 * stop conditions and feeds the token back. Nothing here is model-specific.
 */
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { mergeLogits } from '../../src/core/merge';
import { planRun, planSweep, type RunPlan, type StreamFeed } from '../../src/core/plan';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import type {
  ChatTurn,
  CoordinatorApi,
  FaultKind,
  PixelPayload,
  RunCheck,
  Resolution,
  ImagePayload,
  LoadEvent,
  LoopStats,
  LoadOptions,
  ModelInfo,
  ModelSpecifier,
  ModelStats,
  RunRequest,
  TopEntry,
} from '../../src/core/protocol';
import { FATAL_MODEL_ERRORS, fromWireError, toWireError } from '../../src/core/protocol';
import { createRng, Sampler, topK, validateSampling } from '../../src/core/sampling';
import type { Ptr } from '../../src/core/mergeKernel';
import { StopChecker, trimStopString, type StopReason } from '../../src/core/stopping';
import { TextStream } from '../../src/core/textStream';
import { locate } from '../../src/models/load';
import { checkToolCall, halveImage, TOOL_RESPONSE_TURN, TOOL_SYSTEM_PROMPT } from '../../src/core/visionthink';
import { EventBatcher, type EventSink } from './event-batcher';
import { LogitsArena, type ArenaLayout } from './logits-arena';
import { SharedPixels } from './shared-pixels';
import { checkMemory, type MemoryCheckInput } from './memory-check';
import { leadWait, stepModels } from './stepping';
import { loadTrio, reloadDead, stoppedWhy, type LoadedTrio, type ModelHandle } from './trio';

interface StreamState {
  feed: StreamFeed;
  views: Partial<Record<ModelRole, Float32Array>>;
  /** The same rows as byte offsets in the merge kernel's memory (empty without a kernel). */
  ptrs: Partial<Record<ModelRole, Ptr>>;
  sampler: Sampler;
  /** The stream's merged row. */
  out: ArenaLayout['out'][number];
  rng: () => number;
  stop: StopChecker;
  text: TextStream;
  count: number;
  last: number;
  done: boolean;
  /** VisionThink (smart resolution): this stream's tool calls count; it asked; it got the full image. */
  tools: boolean;
  asking: boolean;
  escalated: boolean;
}

/** One stream's token of a decode iteration, before its text and events. */
interface Picked {
  s: StreamState;
  id: number;
  alpha: number;
  merged: Float32Array;
  inspect: Record<ModelRole | 'merged', TopEntry[]> | undefined;
}

export class CancelledError extends Error {
  override name = 'CancelledError';
}

/** A run's prompt as the models see it. */
interface RunPrompt {
  resolution: Resolution;
  turns: ChatTurn[];
  fullImage: ImagePayload | null;
  /** The image of the prompt: the full one, or half-size for smart and low resolution. */
  image: ImagePayload | null;
  pixelModels: { role: ModelRole; api: ModelHandle['api']; processorKey: string | null }[];
  pixels: Partial<Record<ModelRole, PixelPayload>>;
}

/** What the memory check needs of a request and its prompt. */
function memoryInput(req: RunRequest, plan: RunPlan, roles: ModelRole[], p: RunPrompt): MemoryCheckInput {
  const extension = p.resolution === 'smart' && p.fullImage ? { text: TOOL_RESPONSE_TURN, width: p.fullImage.width, height: p.fullImage.height } : null;
  return {
    roles,
    batch: plan.batch,
    request: { turns: p.turns, image: p.image, ...(extension ? { extension } : {}) },
    pixels: p.pixels,
    question: req.question,
    maxNewTokens: req.maxNewTokens,
    resolution: p.resolution,
  };
}

/** In-thread observers for tests and the bench: called synchronously inside the decode loop. */
export interface EngineHooks {
  onToken?: (stream: string, index: number, id: number, merged: Float32Array, sweep?: number) => void;
}

export class Engine implements CoordinatorApi {
  private trio: LoadedTrio | null = null;
  private tokenizer: PreTrainedTokenizer | null = null;
  private readonly arena: LogitsArena;
  private samplers: Sampler[] = [];
  private alpha = 0.5;
  private nextIndex = 0;
  private cancelled = false;
  private active: { runId: number; events: EventBatcher } | null = null;
  private runCounter = 0;
  private readonly pixels = new SharedPixels();
  /** Each model's counters once loaded: the load's own timed steps are not part of what runs did. */
  private statsAtLoad: Partial<Record<ModelRole, ModelStats>> = {};

  constructor(
    private readonly spawn: (role: ModelRole, options: LoadOptions) => ModelHandle,
    private readonly hooks: EngineHooks = {},
    /** mergeKernel false: the JavaScript merge even where WebAssembly SIMD exists (tests compare the two). */
    options: { mergeKernel?: boolean } = {},
  ) {
    this.arena = new LogitsArena(options.mergeKernel ?? true);
  }

  async loadTrio(
    models: ModelSpecifier[],
    options: LoadOptions,
    onEvent: (e: LoadEvent) => void | Promise<void>,
  ): Promise<ModelInfo[]> {
    if (this.active) throw new Error('cannot load models while a run is in progress; stop it first');
    // Resolve only after the page has handled the last event (it travels on the callback's own channel).
    let delivered: Promise<void> = Promise.resolve();
    const emit = (e: LoadEvent): void => {
      delivered = Promise.resolve(onEvent(e)).catch(() => undefined);
    };
    try {
      await this.dispose();
      this.trio = await loadTrio(models, options, this.spawn, emit);
      const first = models.find((m) => m.role === 'base') ?? models[0];
      if (!first) throw new Error('no models given');
      const { id, revision } = locate(first);
      this.tokenizer = await AutoTokenizer.from_pretrained(id, revision ? { revision } : {});
      this.statsAtLoad = {};
      this.statsAtLoad = await this.stats();
      return [...this.trio.models.values()].map((m) => m.info);
    } finally {
      await delivered;
    }
  }

  async setAlpha(alpha: number): Promise<void> {
    if (!Number.isFinite(alpha)) throw new RangeError(`alpha must be a finite number, got ${alpha}`);
    this.alpha = alpha;
    this.active?.events.push({ type: 'alpha', runId: this.active.runId, alpha, fromIndex: this.nextIndex });
  }

  async cancel(): Promise<void> {
    if (this.active) this.cancelled = true;
  }

  async stats(): Promise<Partial<Record<ModelRole, ModelStats>>> {
    const out: Partial<Record<ModelRole, ModelStats>> = {};
    for (const [role, m] of this.trio?.models ?? []) out[role] = sinceLoad(await m.handle.api.stats(), this.statsAtLoad[role]);
    return out;
  }

  async dispose(): Promise<void> {
    for (const m of this.trio?.models.values() ?? []) {
      await m.handle.api.dispose().catch(() => undefined);
      m.handle.terminate();
    }
    this.trio = null;
    this.tokenizer = null;
    this.pixels.clear();
  }

  async run(req: RunRequest, onEvents: EventSink): Promise<void> {
    const { trio, tokenizer, sampling, plan, roles } = this.validate(req);
    const runId = ++this.runCounter;
    const events = new EventBatcher(onEvents);
    this.active = { runId, events };
    this.cancelled = false;
    this.alpha = req.alpha;
    this.nextIndex = 0;
    const t0 = performance.now();
    const stoppedBefore = new Set([...trio.models].filter(([, m]) => stoppedWhy(m)).map(([r]) => r));
    // Every model the run stopped, named for the page before the run's end (a shared worker's crash
    // stops models the run did not use).
    const pushStopped = () => {
      for (const [role, m] of trio.models) {
        const why = stoppedWhy(m);
        if (why && !stoppedBefore.has(role)) events.push({ type: 'stopped', runId, role, error: toWireError(why) });
      }
    };
    try {
      const loop = await this.decode(req, plan, roles, trio, tokenizer, sampling, runId, events);
      pushStopped();
      events.push({ type: 'done', runId, ms: performance.now() - t0, loop });
    } catch (e) {
      const role = e instanceof Error ? this.failedRole.get(e) : undefined;
      pushStopped();
      events.push({ type: 'error', runId, error: toWireError(e), ...(role ? { role } : {}) });
      throw e;
    } finally {
      this.active = null;
      await events.drain();
    }
  }

  async checkRun(req: RunRequest): Promise<RunCheck> {
    const { trio, plan, roles } = this.validate(req);
    const prompt = await this.prompt(req, roles, trio);
    return checkMemory(trio, memoryInput(req, plan, roles, prompt));
  }

  async reloadStopped(onEvent: (e: LoadEvent) => void | Promise<void>): Promise<ModelInfo[]> {
    if (this.active) throw new Error('cannot load models while a run is in progress; stop it first');
    const trio = this.trio;
    if (!trio) throw new Error('load a trio first');
    let delivered: Promise<void> = Promise.resolve();
    const emit = (e: LoadEvent): void => {
      delivered = Promise.resolve(onEvent(e)).catch(() => undefined);
    };
    try {
      // A reloaded model's counters start again at zero (it was not timed at load).
      for (const [role, m] of trio.models) if (stoppedWhy(m)) this.statsAtLoad[role] = undefined;
      await reloadDead(trio, this.spawn, emit);
      return [...trio.models.values()].map((m) => m.info);
    } finally {
      await delivered;
    }
  }

  async injectFault(role: ModelRole, steps: number, kind: FaultKind): Promise<void> {
    const m = this.trio?.models.get(role);
    if (!m) throw new Error(`no ${role} model loaded`);
    await m.handle.api.injectFault(steps, kind);
  }

  /** What every run and check needs, or an error saying what is missing. */
  private validate(req: RunRequest) {
    if (this.active) throw new Error('a run is already in progress');
    const trio = this.trio;
    const tokenizer = this.tokenizer;
    if (!trio || !tokenizer) throw new Error('load a trio before running');
    const sampling = validateSampling(req.sampling);
    if (!req.question.trim()) throw new Error('the question is empty');
    if (!Number.isFinite(req.alpha)) throw new RangeError(`alpha must be a finite number, got ${req.alpha}`);
    const plan = planFor(req);
    const roles = MODEL_ROLES.filter((r) => plan.batch[r] > 0);
    for (const r of roles) {
      const m = trio.models.get(r);
      if (!m) throw new Error(`mode "${req.mode}" needs the ${r} model, which is not loaded`);
      const stopped = stoppedWhy(m);
      if (stopped) throw new Error(`the ${r} model (${m.info.name}) stopped during an earlier run (${stopped.message}); load the trio again`);
    }
    return { trio, tokenizer, sampling, plan, roles };
  }

  /** The prompt as the models see it: the chat turns, the image at the run's resolution and its shared pixels. */
  private async prompt(req: RunRequest, roles: ModelRole[], trio: LoadedTrio): Promise<RunPrompt> {
    const resolution = req.image ? (req.resolution ?? 'full') : 'full';
    // Smart mode offers VisionThink's resize_image tool in the system prompt.
    const system = resolution === 'smart' ? [TOOL_SYSTEM_PROMPT, req.system].filter(Boolean).join('\n\n') : req.system;
    const turns: ChatTurn[] = [
      ...(system ? [{ role: 'system' as const, text: system }] : []),
      { role: 'user', text: req.question, withImage: req.image !== null },
    ];
    const fullImage = req.image ? shareImage(req.image) : null;
    const image = fullImage && resolution !== 'full' ? lowResolution(fullImage) : fullImage;
    const pixelModels = roles.flatMap((r) => {
      const m = trio.models.get(r);
      return m ? [{ role: r, api: m.handle.api, processorKey: m.info.imageProcessorKey }] : [];
    });
    const pixels = image ? await this.pixels.forModels(pixelModels, image) : {};
    return { resolution, turns, fullImage, image, pixelModels, pixels };
  }

  /** Which model a run-ending error came from, for the page's per-model status. */
  private readonly failedRole = new WeakMap<Error, ModelRole>();

  /** A model call failed outside a step (prefill, extension): a fatal error marks the model dead. */
  private modelFailed(trio: LoadedTrio, role: ModelRole, e: unknown): never {
    if (e instanceof Error) this.failedRole.set(e, role);
    markIfFatal(trio, role, e);
    throw e;
  }

  private async decode(
    req: RunRequest,
    plan: RunPlan,
    runRoles: ModelRole[],
    trio: LoadedTrio,
    tokenizer: PreTrainedTokenizer,
    sampling: ReturnType<typeof validateSampling>,
    runId: number,
    events: EventBatcher,
  ): Promise<LoopStats> {
    const vocab = trio.vocab;
    // The order measured fastest for this kind of batch (two base rows: side-by-side's), at load and,
    // when the engine chose it, during runs: the tuner probes other orders now and then. Runs of
    // fewer than three models keep the order (it hardly matters to them) and are not timed.
    const kind = plan.batch.base > 1 ? 'sideBySide' : 'guided';
    const stepping = trio.schedule[kind].stepping;
    const tuner = runRoles.length === 3 ? (trio.tuners?.[kind] ?? null) : null;
    let tuned = false;
    const loop: LoopStats = { steps: 0, coordinatorMs: 0, stepWaitMs: 0, prefillMs: 0 };
    let roles = runRoles;
    const api = (r: ModelRole) => {
      const m = trio.models.get(r);
      if (!m) throw new Error(`${r} model not loaded`);
      return m;
    };
    const layout = this.arena.layout({
      models: Object.fromEntries(roles.map((r) => [r, { rows: plan.batch[r], vocabRows: api(r).info.vocabRows }])),
      streams: plan.streams.length,
      vocab,
    });
    loop.merge = layout.kernel ? 'wasm-simd' : 'js';

    if (req.faultAt) await api(req.faultAt.role).handle.api.injectFault(req.faultAt.step, req.faultAt.kind ?? 'crash');
    const tPrefill = performance.now();
    const prompt = await this.prompt(req, roles, trio);
    const { resolution, turns, fullImage, image, pixelModels, pixels } = prompt;
    // Refused here, before any model runs, when a model could not hold the run.
    const check = await checkMemory(trio, memoryInput(req, plan, roles, prompt));
    if (!check.ok) throw fromWireError(check.error);
    const settled = await Promise.allSettled(
      roles.map((r) => {
        const region = layout.models[r];
        if (!region) throw new Error('no logits buffer');
        const shared = pixels[r];
        const chunk = check.memory[r]?.chunkTokens;
        return api(r).handle.api.prefill({
          turns,
          image,
          ...(shared ? { pixels: shared } : {}),
          streams: plan.batch[r],
          logits: region.buffer,
          logitsOffset: region.offset,
          ...(layout.signals[r] ? { stepSignalOffset: layout.signals[r].offset } : {}),
          ...(chunk ? { chunkTokens: chunk } : {}),
        });
      }),
    );
    // A model whose prefill failed ends the streams that need it; the others go on. When none is
    // left, the run ends with that model's error.
    const failed = new Map<ModelRole, unknown>();
    settled.forEach((res, i) => {
      const r = roles[i];
      if (r && res.status === 'rejected') {
        failed.set(r, res.reason);
        markIfFatal(trio, r, res.reason);
      }
    });
    const [firstFailure] = failed;
    if (firstFailure && plan.streams.every((f) => [...failed.keys()].some((r) => f.rows[r] !== undefined)))
      this.modelFailed(trio, firstFailure[0], firstFailure[1]);
    const prefills = settled.map((res) => (res.status === 'fulfilled' ? res.value : null));
    loop.prefillMs = performance.now() - tPrefill;
    const promptIds: Partial<Record<ModelRole, number[]>> = {};
    roles.forEach((r, i) => (promptIds[r] = prefills[i]?.promptIds ?? []));
    events.push({
      type: 'started',
      runId,
      streams: plan.streams.map((s) => s.stream),
      promptIds,
      prefillMs: performance.now() - tPrefill,
      reused: prefills.every((p) => p?.reused ?? true),
      resolution,
      visualTokens: Object.fromEntries(roles.map((r, i) => [r, prefills[i]?.visionTokens ?? 0])),
      image: image ? [image.width, image.height] : null,
      memory: check.memory,
    });
    // The stream whose tool calls count: guided, or the only stream of a single-model mode. In a
    // sweep every stream stands for a run of its own, so each may ask for the full image once.
    const primary = plan.streams.findIndex((f) => f.stream !== 'base') >= 0 ? plan.streams.findIndex((f) => f.stream !== 'base') : 0;
    const tools = (i: number) => resolution === 'smart' && (req.alphas !== undefined || i === primary);

    const eosIds = [...new Set(roles.flatMap((r) => api(r).info.eosIds))];
    const decodeIds = (ids: number[]) => (ids.length ? tokenizer.decode(ids, { skip_special_tokens: false }) : '');
    const streams: StreamState[] = plan.streams.map((feed, i) => {
      const rowViews: Partial<Record<ModelRole, Float32Array>> = {};
      const ptrs: Partial<Record<ModelRole, Ptr>> = {};
      for (const role of roles) {
        const row = feed.rows[role];
        const region = layout.models[role];
        if (row === undefined || !region) continue;
        const rows = api(role).info.vocabRows;
        rowViews[role] = region.view.subarray(row * rows, row * rows + vocab);
        if (layout.kernel) ptrs[role] = region.offset + row * rows * 4;
      }
      const out = layout.out[i];
      if (!out) throw new Error(`no merged row for stream ${i}`);
      return {
        feed,
        views: rowViews,
        ptrs,
        sampler: this.samplerFor(i, vocab),
        out,
        rng: createRng(sampling.seed),
        stop: new StopChecker({ eosIds, maxNewTokens: req.maxNewTokens, stopStrings: req.stopStrings ?? [] }),
        text: new TextStream(decodeIds),
        count: 0,
        last: 0,
        done: false,
        tools: tools(i),
        asking: false,
        escalated: false,
      };
    });
    const tokensIn = new Map<ModelRole, Int32Array>(roles.map((r) => [r, new Int32Array(plan.batch[r])]));
    const owners = new Map<ModelRole, number[]>(
      roles.map((r) => [r, Array.from({ length: plan.batch[r] }, (_, row) => plan.streams.findIndex((s) => s.rows[r] === row))]),
    );
    let timings: Partial<Record<ModelRole, number>> = {};
    roles.forEach((r, i) => (timings[r] = prefills[i]?.ms ?? 0));
    for (const [r, e] of failed) {
      for (const s of streams) {
        if (s.done || s.feed.rows[r] === undefined) continue;
        events.push({ type: 'error', runId, stream: s.feed.stream, role: r, error: toWireError(e), ...sweepOf(s) });
        this.finish(s, 'error', runId, events, []);
      }
    }
    if (failed.size) roles = roles.filter((r) => !failed.has(r) && streams.some((s) => !s.done && s.feed.rows[r] !== undefined));
    if (this.cancelled) {
      for (const s of streams) this.finish(s, 'cancelled', runId, events, []);
      return loop;
    }

    // Whether anything about a step can depend on the text before it (stop strings, tool calls,
    // test hooks): fixed for the run. When nothing can, the text and events are done while the models step.
    const textFree = !this.hooks.onToken && !req.stopStrings?.some((x) => x.length > 0) && streams.every((s) => !s.tools);
    for (let index = 0; ; index++) {
      const tLoop = performance.now();
      loop.steps = index + 1;
      this.nextIndex = index + 1;
      const live = this.alpha;
      const picked: Picked[] = [];
      for (const s of streams) {
        if (s.done) continue;
        const alpha = s.feed.alpha ?? live;
        const { merged, greedy } = this.merged(s, layout, vocab, alpha);
        // The kernel's pick is the greedy id (−1 when a NaN needs the NaN-skipping argmax).
        const id = sampling.temperature === 0 && greedy >= 0 ? greedy : s.sampler.sample(merged, vocab, sampling, s.rng);
        s.count += 1;
        s.last = id;
        const inspect = req.inspectTopK && s.feed.stream === 'guided' ? this.inspect(s, merged, vocab, req.inspectTopK, tokenizer) : undefined;
        picked.push({ s, id, alpha, merged, inspect });
      }
      // The token's text, events and stop checks, for each stream.
      const emit = ({ s, id, alpha, merged, inspect }: Picked) => {
        const delta = s.text.push(id);
        const sweep = sweepOf(s);
        events.push({ type: 'token', runId, stream: s.feed.stream, index, id, delta, alpha, timings, ...(inspect ? { inspect } : {}), ...sweep });
        this.hooks.onToken?.(s.feed.stream, index, id, merged, s.feed.sweep);
        if (s.tools) {
          const call = checkToolCall(s.text.text);
          if (call?.kind === 'resize' && !s.escalated) s.asking = true;
          else if (call) {
            const reason = call.kind === 'invalid' ? call.reason : 'at most one escalation per run';
            events.push({ type: 'tool-call-ignored', runId, stream: s.feed.stream, atIndex: index, reason, ...sweep });
          }
        }
        const reason = s.asking ? null : s.stop.check(id, s.count, s.text.text);
        if (reason) this.finish(s, reason, runId, events, req.stopStrings ?? []);
      };
      // Off the token's critical path unless the run is cancelled or this token ends every stream
      // (without stop strings the stop check needs only the id and the count: no step is sent).
      const overlap = textFree && !this.cancelled && !picked.every((p) => p.s.stop.check(p.id, p.s.count, '') !== null);
      if (!overlap) for (const p of picked) emit(p);
      if (this.cancelled) for (const s of streams) if (!s.done) this.finish(s, 'cancelled', runId, events, []);
      if (streams.every((s) => s.done)) {
        loop.coordinatorMs += performance.now() - tLoop;
        // The tuner's state once per run, not per step (it takes medians).
        if (tuner && tuned) loop.stepping = { kind, ...tuner.state() };
        return loop;
      }
      // Finished streams keep their row in the batch (fed their last token); their logits are ignored.
      for (const r of roles) {
        const t = tokensIn.get(r);
        owners.get(r)?.forEach((owner, row) => {
          if (t) t[row] = streams[owner]?.last ?? 0;
        });
      }
      const tStep = performance.now();
      loop.coordinatorMs += tStep - tLoop;
      const asking = new Set(streams.flatMap((s, i) => (s.asking ? [i] : [])));
      if (asking.size && fullImage && image) {
        for (const i of asking) {
          const s = streams[i];
          if (s) [s.asking, s.escalated] = [false, true];
        }
        const fullPixels = await this.pixels.forModels(pixelModels, fullImage);
        const ext = await Promise.all(
          roles.map((r) => {
            const rows = (owners.get(r) ?? []).flatMap((owner, row) => (asking.has(owner) ? [row] : []));
            const pending = tokensIn.get(r) ?? new Int32Array(0);
            // A model none of whose rows asked (the amateur when only a sweep's base-only stream
            // asks) takes the pending tokens as an ordinary step.
            const shared = fullPixels[r];
            const model = api(r).handle.api;
            const call = rows.length
              ? model.extend({ rows, pending, text: TOOL_RESPONSE_TURN, image: fullImage, ...(shared ? { pixels: shared } : {}) })
              : model.step(pending).then((st) => ({ ms: st.ms, visionTokens: 0, ids: [] as number[] }));
            return call.catch((e: unknown) => this.modelFailed(trio, r, e));
          }),
        );
        const visualTokens: Partial<Record<ModelRole, { low: number; full: number }>> = {};
        timings = {};
        roles.forEach((r, i) => {
          visualTokens[r] = { low: prefills[runRoles.indexOf(r)]?.visionTokens ?? 0, full: ext[i]?.visionTokens ?? 0 };
          timings[r] = ext[i]?.ms ?? 0;
        });
        for (const i of asking) {
          const s = streams[i];
          if (!s) continue;
          events.push({
            type: 'escalated',
            runId,
            stream: s.feed.stream,
            atIndex: index,
            visualTokens,
            image: { low: [image.width, image.height], full: [fullImage.width, fullImage.height] },
            extensionIds: Object.fromEntries(roles.map((r, j) => [r, ext[j]?.ids ?? []])),
            ...sweepOf(s),
          });
        }
        loop.stepWaitMs += performance.now() - tStep;
        continue;
      }
      const lags = (loop.lagMs ??= {});
      // A model that failed mid-run leaves fewer than three: the order is then kept, not probed.
      const probing = tuner !== null && roles.length === 3;
      const order = probing ? tuner.pick() : (tuner?.stepping ?? stepping);
      const stepped = stepModels(order, roles, async (r) => {
        const sent = performance.timeOrigin + performance.now();
        const res = await api(r).handle.api.step(tokensIn.get(r) ?? new Int32Array(0));
        const seen = performance.timeOrigin + performance.now();
        const lag = (lags[r] ??= { in: 0, out: 0 });
        if (res.startedAt !== undefined && res.endedAt !== undefined) {
          lag.in += res.startedAt - sent;
          lag.out += seen - res.endedAt;
        }
        return res;
      }, (r) => leadWait(layout.signals[r]?.view));
      if (overlap) {
        const t0 = performance.now();
        for (const p of picked) emit(p);
        loop.overlapMs = (loop.overlapMs ?? 0) + performance.now() - t0;
      }
      const results = await stepped;
      const stepMs = performance.now() - tStep;
      loop.stepWaitMs += stepMs;
      if (probing && results.every((x) => x.status === 'fulfilled')) {
        tuner.record(order, stepMs);
        tuned = true;
      }
      timings = {};
      const failed: ModelRole[] = [];
      roles.forEach((r, i) => {
        const res = results[i];
        if (res?.status === 'fulfilled') timings[r] = res.value.ms;
        else if (res) {
          failed.push(r);
          markIfFatal(trio, r, res.reason);
          // The streams that need this model end with its error; the others go on.
          for (const s of streams) {
            if (s.done || s.feed.rows[r] === undefined) continue;
            events.push({ type: 'error', runId, stream: s.feed.stream, role: r, error: toWireError(res.reason), ...sweepOf(s) });
            this.finish(s, 'error', runId, events, []);
          }
        }
      });
      if (failed.length) roles = roles.filter((r) => !failed.includes(r) && streams.some((s) => !s.done && s.feed.rows[r] !== undefined));
    }
  }

  /** The stream's merged logits and, with the merge kernel, their greedy id (else −1). */
  private merged(s: StreamState, layout: ArenaLayout, vocab: number, alpha: number): { merged: Float32Array; greedy: number } {
    const { base = null, expert = null, amateur = null } = s.views;
    const { kernel, zeros } = layout;
    const p = s.ptrs;
    const mode = s.feed.mode;
    if (mode === 'base' && base) return { merged: base, greedy: kernel && p.base !== undefined ? kernel.argmax(p.base, vocab) : -1 };
    if (mode === 'expert' && expert) return { merged: expert, greedy: kernel && p.expert !== undefined ? kernel.argmax(p.expert, vocab) : -1 };
    const out = s.out;
    if (kernel && out.ptr !== null && p.base !== undefined && p.expert !== undefined) {
      const a = mode === 'guided' ? p.amateur : mode === 'base+expert' ? zeros : undefined;
      if (a !== undefined && a !== null) return { merged: out.view, greedy: kernel.mergeArgmax(out.ptr, vocab, alpha, p.base, p.expert, a) };
    }
    return { merged: mergeLogits(out.view, vocab, mode, alpha, base, expert, amateur), greedy: -1 };
  }

  private inspect(s: StreamState, merged: Float32Array, vocab: number, k: number, tokenizer: PreTrainedTokenizer): Record<ModelRole | 'merged', TopEntry[]> {
    const entries = (logits: Float32Array | undefined): TopEntry[] =>
      logits ? topK(logits, vocab, k).map((t) => ({ id: t.id, prob: t.prob, text: tokenizer.decode([t.id], { skip_special_tokens: false }) })) : [];
    return { base: entries(s.views.base), expert: entries(s.views.expert), amateur: entries(s.views.amateur), merged: entries(merged) };
  }

  private finish(s: StreamState, reason: StopReason, runId: number, events: EventBatcher, stops: string[]): void {
    s.done = true;
    s.text.flush(); // a held incomplete character, if any, is part of the final text below
    const full = s.text.text;
    events.push({ type: 'stream-done', runId, stream: s.feed.stream, reason, text: reason === 'stop_string' ? trimStopString(full, stops) : full, ...sweepOf(s) });
  }

  private samplerFor(i: number, vocab: number): Sampler {
    const s = this.samplers[i];
    if (s && s.maxVocab >= vocab) return s;
    const fresh = new Sampler(vocab);
    this.samplers[i] = fresh;
    return fresh;
  }
}

/** The plan of a request: its mode's streams, or an α sweep's (side-by-side: with the base-only stream). */
function planFor(req: RunRequest): RunPlan {
  if (req.alphas === undefined) return planRun(req.mode);
  if (req.mode !== 'side-by-side' && req.mode !== 'guided')
    throw new Error(`an α sweep runs in side-by-side or guided mode, not "${req.mode}"`);
  return planSweep(req.alphas, req.mode === 'side-by-side');
}

/** The `sweep` field of a sweep stream's events (nothing for other streams). */
function sweepOf(s: StreamState): { sweep?: number } {
  return s.feed.sweep === undefined ? {} : { sweep: s.feed.sweep };
}

/**
 * After a fatal error (worker gone, GPU device lost, onnxruntime out of memory) the model takes no
 * further runs until reloaded. Where the models share one onnxruntime instance (one-worker,
 * single-thread), that instance cannot be trusted any more: every model stops, and the shared
 * worker ends, so that calls in flight fail at once and Load again starts a fresh one.
 */
function markIfFatal(trio: LoadedTrio, role: ModelRole, e: unknown): void {
  const m = trio.models.get(role);
  if (!m || m.dead || !(e instanceof Error) || !FATAL_MODEL_ERRORS.includes(e.name)) return;
  m.dead = e;
  const { placement } = trio.schedule.placement;
  if (placement === 'workers') return;
  for (const [other, o] of trio.models) {
    if (o === m || o.dead) continue;
    const why = `the ${other} model stopped with the ${role} model: the three share one onnxruntime instance (${placement} placement) — ${e.name}: ${e.message}`;
    o.dead = Object.assign(new Error(why), { name: 'WorkerCrashedError' });
    o.handle.terminate(why);
  }
  m.handle.terminate(`${e.name}: ${e.message}`);
}

/** A model's counters less those at load (the load's timed steps); heapBytes is a size, kept as it is. */
function sinceLoad(now: ModelStats, atLoad: ModelStats | undefined): ModelStats {
  if (!atLoad) return now;
  const out = { ...now };
  for (const k of Object.keys(out) as (keyof ModelStats)[]) {
    const [a, b] = [out[k], atLoad[k]];
    if (k !== 'heapBytes' && typeof a === 'number' && typeof b === 'number') out[k] = a - b;
  }
  return out;
}

/** VisionThink's first look: half width and half height, a quarter of the visual tokens. */
function lowResolution(img: ImagePayload): ImagePayload {
  const half = halveImage(img.rgba, img.width, img.height);
  return shareImage({ width: half.width, height: half.height, rgba: half.rgba, key: `${img.key}@half` });
}

/** The image's pixels go to the model workers through one SharedArrayBuffer, not one copy each. */
function shareImage(img: ImagePayload): ImagePayload {
  if (img.rgba.buffer instanceof SharedArrayBuffer) return img;
  const shared = new Uint8ClampedArray(new SharedArrayBuffer(img.rgba.byteLength));
  shared.set(img.rgba);
  return { ...img, rgba: shared };
}
