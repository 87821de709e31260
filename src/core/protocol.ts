/**
 * The one protocol shared by the page, the coordinator worker and the model workers. Calls go
 * through comlink; every payload here is structured-clone data (no class instances), and large
 * buffers travel as transferables or SharedArrayBuffer views, never as JSON.
 */
import type { GuidanceMode } from './merge';
import type { Grid, ModelSizes } from './memoryEstimate';
import type { Dtype, ModelRole, ModelSource } from './presets';
import type { SamplingParams } from './sampling';
import type { StopReason } from './stopping';

export type Backend = 'webgpu' | 'wasm';
export type BackendChoice = Backend | 'auto';
/** What the page runs: one of the merge modes, or base-only and guided side by side. */
export type RunMode = GuidanceMode | 'side-by-side';
export type StreamName = 'base' | 'guided' | 'expert';
export type LoadPhase = 'download' | 'compile' | 'warmup' | 'ready';
export type Resolution = 'full' | 'smart' | 'low';
/**
 * How the models of one decode step share the CPU: all at once, one after another, the base
 * model alone (with every core) and then the smaller models together, or the base model alongside
 * the smaller models stepping one after another (never more than two models at once), or all at
 * once with the base model's step sent first and the others only once it has begun (it gets a core
 * before the others wake).
 */
export type Stepping = 'concurrent' | 'sequential' | 'base-first' | 'alongside' | 'base-lead';

/** A stepping order and why it was taken: the engine's timings at load, or the caller's word. */
export interface SteppingChoice {
  stepping: Stepping;
  /** Median ms per decode step of each order timed at load (empty when nothing was timed). */
  measuredMs: Partial<Record<Stepping, number>>;
  why: string;
}

/**
 * Where the models run. 'workers': a model worker each (they can step at the same time). 'one-worker':
 * all three in one model worker, one onnxruntime instance with every core, stepping one after
 * another. 'single-thread': all three inside the coordinator's own worker (the benchmark's naive loop).
 */
export type Placement = 'workers' | 'one-worker' | 'single-thread';

/** A placement and why it was taken: the machine (backend, cores), the caller's word, or a fallback. */
export interface PlacementChoice {
  placement: Placement;
  why: string;
}

/** The trio's stepping: one for runs with one row per model, one for side-by-side (base: two rows). */
export interface TrioStepping {
  guided: SteppingChoice;
  sideBySide: SteppingChoice;
}

/** Where the trio's models run, and how a decode step steps them. */
export interface TrioSchedule extends TrioStepping {
  placement: PlacementChoice;
}

/** An error as it crosses a worker boundary: name and message intact. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}

/**
 * Errors after which a model cannot go on: its worker died, its GPU device was lost, or onnxruntime
 * failed in a way that leaves its state unknown (out of memory, a runtime exception; see
 * runtimeErrors.ts). The engine keeps the outputs so far and refuses runs that need the model until
 * it is loaded again.
 */
export const FATAL_MODEL_ERRORS: readonly string[] = [
  'WorkerCrashedError',
  'GpuDeviceLostError',
  'OutOfMemoryError',
  'ModelRuntimeError',
];

/** A run refused before any model ran: it would not fit a model's memory or context. */
export const PROMPT_TOO_LARGE = 'PromptTooLargeError';

/**
 * Diagnostics: how a model fails on purpose — a worker crash, its WebGPU device destroyed, or its
 * WebAssembly heap unable to grow from now on (the next allocation that needs more fails inside
 * onnxruntime, a real std::bad_alloc).
 */
export type FaultKind = 'crash' | 'device-lost' | 'out-of-memory';

export function fromWireError(w: WireError): Error {
  const e = new Error(w.message);
  e.name = w.name;
  if (w.stack) e.stack = w.stack;
  return e;
}

/** RGBA pixels moved (transferred) from the page to the workers. */
export interface ImagePayload {
  width: number;
  height: number;
  /** RGBA, width·height·4 bytes. */
  rgba: Uint8ClampedArray;
  /** A stable key of the image's content, so a second run on the same image reuses the prefill. */
  key: string;
}

/**
 * An image already through the image processor (Qwen2-VL: patches × 3·2·14·14 floats), made once
 * by one model worker and shared, in shared memory, with the models whose processors agree.
 */
export interface PixelPayload {
  /** pixel_values, row-major [patches, patchDim], a view over a SharedArrayBuffer. */
  values: Float32Array;
  dims: [number, number];
  /** image_grid_thw of the image: [t, h, w] in patches. */
  grid: [number, number, number];
  /** The image processor settings that made it (ModelInfo.imageProcessorKey). */
  processorKey: string;
  /** ImagePayload.key of the source image. */
  imageKey: string;
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  text: string;
  /** True when the image is attached to this turn (placed before its text, as in Qwen's examples). */
  withImage?: boolean;
}

export interface ModelSpecifier {
  role: ModelRole;
  name: string;
  source: ModelSource;
}

export interface LoadOptions {
  backend: BackendChoice;
  /** Overrides the preset dtype (e.g. 'fp32' in tests). */
  dtype?: Dtype;
  /**
   * Where the models run (see Placement). Default: the engine's choice — on WASM with few cores
   * 'one-worker', else 'workers' (src/core/schedule.ts choosePlacement).
   */
  placement?: Placement;
  /** onnxruntime WASM threads per model worker (default: its own choice). */
  wasmThreads?: number;
  /** Per-role override of wasmThreads (e.g. more threads for the large base model). */
  wasmThreadsByRole?: Partial<Record<ModelRole, number>>;
  /**
   * 'concurrent': the models of a step run at the same time. 'sequential': one after another, each
   * free to use every core. 'base-first': the base model alone, then the others at the same time.
   * 'alongside': the base model at the same time as the others, which step one after another.
   * 'base-lead': all at once, the others sent once the base model's step has begun.
   * Default: the engine's own choice, timed at load (see src/core/schedule.ts).
   */
  stepping?: Stepping;
  /**
   * Caps each model worker's WebAssembly heap at this many MiB (default: the 4 GiB wasm32 allows).
   * The engine plans runs against the cap (smaller prefill pieces, refusals), and onnxruntime cannot
   * allocate past it.
   */
  memoryLimitMB?: number;
}

/** What a model's runtime can hold and already holds, in bytes, for the engine's memory plan. */
export interface ModelMemory {
  /** The most its WebAssembly heap may grow to; null when unbounded (onnxruntime-node). */
  heapLimit: number | null;
  /**
   * What the model already uses (weights, sessions): the heap after load and warm-up less the .onnx
   * files, which pass through it whole only while the sessions are made (external data does not: its
   * bytes become the weights); null when unknown.
   */
  resident: number | null;
  /** The heap's size right after load and warm-up; null when there is none. */
  heapAfterLoad: number | null;
  /** WebGPU: the largest buffer the device allows (maxBufferSize, maxStorageBufferBindingSize); null otherwise. */
  gpuMaxBuffer: number | null;
}

/** Where a model file's bytes came from: downloaded, browser storage (Cache API), or the user's disk. */
export type FileSource = 'network' | 'cache' | 'disk';

/**
 * Why a model file could not be had: 'not-found' (HTTP 404/401/403), 'http' (another error status),
 * 'network' (no connection, or it dropped before the server answered), 'truncated' (the body ended
 * early), 'storage' (it could not be stored in browser storage, e.g. the quota is exceeded), 'read'
 * (a file of a picked folder could not be read).
 */
export type FileFailureReason = 'not-found' | 'http' | 'network' | 'truncated' | 'storage' | 'read';

export interface FileFailureInfo {
  reason: FileFailureReason;
  /** A sentence naming the file, for the user. */
  message: string;
  url?: string;
  status?: number;
  /** False when the model still loaded (a file that could not be stored is downloaded again next time). */
  fatal: boolean;
}

export interface FileProgress {
  role: ModelRole;
  file: string;
  loaded: number;
  total: number;
  source?: FileSource;
  /**
   * Set on the one event that reports a file's failure (loaded/total: the bytes it had got). Fatal:
   * the model's load fails with a DownloadError naming the file. Not fatal: the file could not be kept
   * in browser storage (e.g. quota) and will download again next time.
   */
  failure?: FileFailureInfo;
}

export type FileFailure = { role: ModelRole; file: string } & FileFailureInfo;

/** One file a model will load, and whether it must be downloaded. */
export interface PlannedFile {
  file: string;
  /** Bytes; null when the server does not tell. */
  size: number | null;
  /** Already in browser storage (or on disk, for a picked folder). */
  cached: boolean;
  /** The file is needed but missing (a picked folder without it, or the server answers 404). */
  missing?: boolean;
}

/** What loading one model will download. */
export interface ModelPlan {
  role: ModelRole;
  name: string;
  files: PlannedFile[];
  totalBytes: number;
  /** Bytes still to download (0 for a picked folder). */
  downloadBytes: number;
  /** Files whose size is unknown. */
  unknownSizes: number;
  /** The plan could not be made (e.g. config.json unreachable); loading will likely fail the same way. */
  error?: WireError;
}

export interface ModelInfo {
  role: ModelRole;
  name: string;
  backend: Backend;
  /** Why the backend is not WebGPU, when it is not. */
  backendReason?: string;
  dtype: Dtype | Record<string, Dtype>;
  /** config.json's model_type (qwen2_vl, qwen2_5_vl, qwen3_vl). */
  family: string;
  /** Rows of the lm_head (logits per position), padding included. */
  vocabRows: number;
  /** Ids the tokenizer defines; the only ids ever sampled. */
  tokenizerSize: number;
  tokenizerFingerprint: string;
  eosIds: number[];
  loadMs: number;
  /** Where the warm-up forward left the KV cache: 'gpu-buffer' proves the WebGPU provider ran it. */
  kvLocation: string;
  /** The image processor's settings (stable JSON): models with equal keys can share preprocessed pixels. */
  imageProcessorKey: string | null;
  /** Set by the coordinator: the WASM threads this model was given (null: onnxruntime's default). */
  wasmThreads?: number | null;
  /** Set by the coordinator: how the trio steps its models in guided runs. */
  stepping?: Stepping;
  /** Set by the coordinator: the trio's stepping per kind of run, and why (the same on every model). */
  schedule?: TrioSchedule;
  /** Sizes from config.json for the memory plan; null when the config is not one the estimate knows. */
  sizes: ModelSizes | null;
  memory: ModelMemory;
}

/** Counters a model worker keeps, so tests and the bench can see what work really ran. */
export interface ModelStats {
  /** Images this model put through its own image processor (shared pixels do not count). */
  imagesProcessed: number;
  visionEncoderRuns: number;
  visionTokens: number;
  promptPrefills: number;
  /** Decoder forwards of prompt prefills (more than one per prefill when it went in pieces). */
  prefillForwards: number;
  prefillReuses: number;
  decoderSteps: number;
  /** Sum over steps of the batch size (a batch of 2 is one step, two rows). */
  decoderRows: number;
  /**
   * Not a counter: the size of onnxruntime's WebAssembly heap in this worker now, in bytes. It never
   * shrinks, so it is the worker's high-water mark. Null where there is none (onnxruntime-node).
   */
  heapBytes: number | null;
}

export interface PrefillRequest {
  turns: ChatTurn[];
  image: ImagePayload | null;
  /** The image already processed by a model with the same image processor (else the worker processes it). */
  pixels?: PixelPayload;
  /** Rows of the decode batch (2 for the base model in side-by-side mode). */
  streams: number;
  /** Where the worker writes logits: streams × vocabRows float32, from `logitsOffset`. */
  logits: SharedArrayBuffer;
  /** Byte offset of this model's rows in `logits` (the coordinator's merge memory holds all three models'); default 0. */
  logitsOffset?: number;
  /** Byte offset in `logits` of an Int32 the worker increments (and notifies) as each decode step begins. */
  stepSignalOffset?: number;
  /** Prefill the prompt in pieces of this many tokens (the engine's memory plan); absent: one piece. */
  chunkTokens?: number;
}

/** A prompt to measure before any model runs: the prefill's turns and image, and a possible extension. */
export interface MeasureRequest {
  turns: ChatTurn[];
  image: ImagePayload | null;
  pixels?: PixelPayload;
  /** VisionThink: the tool-response turn with the full image (its size) that the model may ask for. */
  extension?: { text: string; width: number; height: number };
}

/** A prompt's size for one model. */
export interface PromptMeasure {
  tokens: number;
  /** M-RoPE position after the prompt. */
  positions: number;
  /** Patch grids [t, h, w] of its images. */
  images: Grid[];
  /** Tokens of the last turn's text alone (the question), to turn a token budget into characters. */
  lastTurnTokens: number;
  /** The model keeps this prompt's prefill: no vision encoder, no prefill. */
  reused: boolean;
  extension: { tokens: number; grid: Grid } | null;
}

export interface PrefillResult {
  promptIds: number[];
  reused: boolean;
  ms: number;
  visionTokens: number;
}

export interface StepResult {
  ms: number;
  /** Wall-clock (performance.timeOrigin + now) when the step began and ended in the model's worker. */
  startedAt?: number;
  endedAt?: number;
}

/**
 * VisionThink's escalation: the rows in `rows` get `pending` (their last sampled token), then
 * `text` with `image` (the full-resolution image, for the text's image placeholder); the other rows
 * get only their pending token (the rest of their extension is masked padding). Logits of each
 * row's last real position are written as after a step.
 */
export interface ExtendRequest {
  rows: number[];
  pending: Int32Array;
  text: string;
  image: ImagePayload;
  pixels?: PixelPayload;
}

export interface ExtendResult {
  ms: number;
  visionTokens: number;
  /** Ids appended to the escalating rows (after the pending token). */
  ids: number[];
}

/** A prompt given directly as ids and images (in order of their placeholders), e.g. to check an extension is exact. */
export interface RawPrefillRequest {
  ids: number[];
  images: ImagePayload[];
  logits: SharedArrayBuffer;
}

/** The model worker's API (one VLM per worker). */
export interface ModelWorkerApi {
  load(
    spec: ModelSpecifier,
    options: LoadOptions,
    onProgress: (p: FileProgress | { role: ModelRole; phase: LoadPhase }) => void,
  ): Promise<ModelInfo>;
  /** Encodes image + prompt (or reuses the cached prefill) and writes the last position's logits for every stream. */
  prefill(req: PrefillRequest): Promise<PrefillResult>;
  /** Appends one token per stream and writes the next logits. */
  step(tokens: Int32Array): Promise<StepResult>;
  extend(req: ExtendRequest): Promise<ExtendResult>;
  /** Tokenizes the prompt (no model runs): its size for the memory plan. */
  measure(req: MeasureRequest): Promise<PromptMeasure>;
  prefillRaw(req: RawPrefillRequest): Promise<PrefillResult>;
  /** Runs the image processor once, into shared memory, for the models that share this processor. */
  preprocess(image: ImagePayload): Promise<PixelPayload>;
  /** Forgets the cached prompt. */
  reset(): Promise<void>;
  stats(): Promise<ModelStats>;
  decode(ids: number[]): Promise<string>;
  /**
   * Diagnostics: on its n-th step from now the worker crashes (an uncaught error) or destroys its
   * WebGPU device (as a driver reset would); 'out-of-memory' stops its heap growing at once. Workers only.
   */
  injectFault(steps: number, kind: FaultKind): Promise<void>;
  dispose(): Promise<void>;
}

export interface RunRequest {
  mode: RunMode;
  alpha: number;
  sampling: SamplingParams;
  maxNewTokens: number;
  stopStrings?: string[];
  question: string;
  system?: string;
  image: ImagePayload | null;
  /** Report each model's top-k at each guided token (for the inspector); 0 = off. */
  inspectTopK?: number;
  /** VisionThink: 'full' (default), 'smart' (half-size image, may escalate once), 'low' (half-size only). */
  resolution?: Resolution;
  /** Diagnostics: crash this model's worker at this decode step, to see how the app copes. */
  faultAt?: { role: ModelRole; step: number; kind?: FaultKind };
  /**
   * α sweep: one guided stream per value, each at its own fixed α, decoded together (one batched
   * forward per model and token). Mode 'side-by-side' adds the base-only stream, 'guided' does not;
   * other modes are refused. Events of the guided streams carry `sweep`, the value's index here.
   */
  alphas?: number[];
}

/** One model's memory plan for a run (bytes). */
export interface RunMemory {
  /** Estimated peak beyond what the model already holds. */
  peakBytes: number;
  /** What it could still allocate; null when unbounded. */
  availableBytes: number | null;
  /** Prefill piece in tokens; null when the prompt went in one piece (or was not prefilled). */
  chunkTokens: number | null;
}

/** Whether a run would fit, before anything runs. */
export type RunCheck =
  | { ok: true; memory: Partial<Record<ModelRole, RunMemory>> }
  | { ok: false; role: ModelRole; error: WireError };

export interface TopEntry {
  id: number;
  text: string;
  prob: number;
}

export interface TokenEvent {
  type: 'token';
  stream: StreamName;
  index: number;
  id: number;
  /** Newly stable text (may be empty while a multi-byte character is incomplete). */
  delta: string;
  alpha: number;
  /** Milliseconds each model's step took for this token. */
  timings: Partial<Record<ModelRole, number>>;
  inspect?: Record<ModelRole | 'merged', TopEntry[]>;
  /** α sweep: index of this guided stream's α in RunRequest.alphas. */
  sweep?: number;
}

/** Where a run's time went, for the benchmark. */
export interface LoopStats {
  /** Decode iterations (tokens per stream, at most). */
  steps: number;
  /**
   * Time in the coordinator's own work between a step's results and the next step: merge, sampling,
   * stopping, and — unless done while the models step — detokenising and events.
   */
  coordinatorMs: number;
  /**
   * The coordinator's work done while the models step (detokenising, events and stop checks of the
   * token just sent), off the token's critical path; 0 when nothing was.
   */
  overlapMs?: number;
  /** Time waiting for the models' steps. */
  stepWaitMs: number;
  prefillMs: number;
  /**
   * Per model, over the run's steps: Σ (step began in the worker − step sent) and Σ (reply seen −
   * step ended), ms: the messaging and the wait for a free core, not the work.
   */
  lagMs?: Partial<Record<ModelRole, { in: number; out: number }>>;
  /** How the logits were merged: WebAssembly SIMD on the shared logits memory, or JavaScript (no SIMD / shared memory). */
  merge?: 'wasm-simd' | 'js';
  /**
   * The stepping order as the run left it, for this kind of run (guided or side-by-side), when the
   * engine tunes it during runs (src/core/steppingTuner.ts); absent when the order is fixed.
   */
  stepping?: {
    kind: 'guided' | 'sideBySide';
    stepping: Stepping;
    /** Each other order's step time over the current order's, from probes during runs. */
    ratios: Partial<Record<Stepping, number>>;
    probes: number;
    switches: number;
    why: string;
  };
}

export type RunEvent =
  | {
      type: 'started';
      runId: number;
      streams: StreamName[];
      promptIds: Partial<Record<ModelRole, number[]>>;
      prefillMs: number;
      reused: boolean;
      resolution: Resolution;
      /** Visual tokens each model encoded for the prompt's image. */
      visualTokens: Partial<Record<ModelRole, number>>;
      image: [number, number] | null;
      /** Each model's memory plan (prefill pieces, estimated peak). */
      memory: Partial<Record<ModelRole, RunMemory>>;
    }
  | (TokenEvent & { runId: number })
  | { type: 'alpha'; runId: number; alpha: number; fromIndex: number }
  | {
      type: 'escalated';
      runId: number;
      stream: StreamName;
      atIndex: number;
      visualTokens: Partial<Record<ModelRole, { low: number; full: number }>>;
      image: { low: [number, number]; full: [number, number] };
      /** The tool-response turn's ids each model appended after the call's last token. */
      extensionIds: Partial<Record<ModelRole, number[]>>;
      sweep?: number;
    }
  | { type: 'tool-call-ignored'; runId: number; stream: StreamName; atIndex: number; reason: string; sweep?: number }
  | { type: 'stream-done'; runId: number; stream: StreamName; reason: StopReason; text: string; sweep?: number }
  | { type: 'done'; runId: number; ms: number; loop: LoopStats }
  /** A run's error, or one stream's (`stream`); `role` names the model whose failure ended it. */
  | { type: 'error'; runId: number; error: WireError; stream?: StreamName; role?: ModelRole; sweep?: number }
  /**
   * A model stopped during the run and takes no runs until loaded again — also one no stream of the
   * run needed, when it shared the failed model's onnxruntime instance (one-worker placement).
   */
  | { type: 'stopped'; runId: number; role: ModelRole; error: WireError };

export type LoadEvent =
  /** Bytes of one file; with `failure` set, the file failed (see FileProgress.failure). */
  | ({ type: 'progress' } & FileProgress)
  | { type: 'phase'; role: ModelRole; phase: LoadPhase }
  | { type: 'loaded'; info: ModelInfo };

/** The coordinator worker's API, as the page sees it. */
export interface CoordinatorApi {
  /** Resolves after the page has handled the last load event. */
  loadTrio(
    models: ModelSpecifier[],
    options: LoadOptions,
    onEvent: (e: LoadEvent) => void | Promise<void>,
  ): Promise<ModelInfo[]>;
  /**
   * Starts a run; events arrive through onEvent in batches; resolves when the run has finished and
   * the page has handled its last batch (the promise returned by onEvent).
   */
  run(req: RunRequest, onEvent: (events: RunEvent[]) => void | Promise<void>): Promise<void>;
  /**
   * Whether `req` would fit every model it needs (memory, context), measured without running any
   * model; the refusal says what to shorten. run() checks the same and throws PromptTooLargeError.
   */
  checkRun(req: RunRequest): Promise<RunCheck>;
  /**
   * Load again after a model stopped (its worker died, its device was lost, onnxruntime failed):
   * each stopped model gets a new worker, loaded from the same files (browser storage); the other
   * models stay as they are. Resolves with every model's info after the page handled the last event.
   */
  reloadStopped(onEvent: (e: LoadEvent) => void | Promise<void>): Promise<ModelInfo[]>;
  /** Diagnostics: a fault in one model's worker (see ModelWorkerApi.injectFault). */
  injectFault(role: ModelRole, steps: number, kind: FaultKind): Promise<void>;
  /** Takes effect from the next token. */
  setAlpha(alpha: number): Promise<void>;
  cancel(): Promise<void>;
  stats(): Promise<Partial<Record<ModelRole, ModelStats>>>;
  dispose(): Promise<void>;
}

export type { GuidanceMode, SamplingParams, StopReason, ModelRole, ModelSource, Dtype };
