/**
 * `generate`: load a trio in headless Chromium through `window.proxyThinker`, run once, and shape
 * the result as the CLI's JSON (schema in docs/cli.md).
 */
import { median as coreMedian } from '../../src/core/median';
import type { AutomationResult, ResolutionOutcome, StreamOutput } from '../../src/client/automation';
import type { LoopStats, ModelInfo, PlacementChoice, Stepping, SteppingChoice } from '../../src/core/protocol';
import { dtypeOption, fixedDtype, MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import { EXIT, InputError, type GenerateOptions } from './args';
import { checkImage, checkModelDir, mountNames, presetDirs } from './inputs';
import { ensureBuild, MODELS, openSession, pageErrorMessage, type Log } from './runner';
import type { Mount } from '../serve/server';

export const SCHEMA = 'proxythinker-cli/generate@1';
/** Where the input image is served. */
export const IMAGE_URL = '/input/image';

export interface CliStream {
  token_ids: number[];
  text: string;
  alpha: number[];
  reason: string | null;
  error: { name: string; message: string } | null;
}

export interface CliModel {
  role: ModelRole;
  name: string;
  url: string;
  folder: string;
  backend: string;
  backend_reason: string | null;
  dtype: unknown;
  vocab_rows: number;
  load_ms: number;
  /** onnxruntime WASM threads of this model's worker (null: onnxruntime's default). */
  wasm_threads: number | null;
}

/** How a decode step runs the models: the order, the timings it was chosen by (ms per step), why. */
export interface CliStepping {
  stepping: Stepping;
  measured_ms: Partial<Record<Stepping, number>>;
  why: string;
}

export interface CliOutput {
  schema: typeof SCHEMA;
  trio: string | null;
  mode: string;
  alpha: number;
  question: string;
  image: string | null;
  /** VisionThink: mode, the guided token that asked for the full image (null if none), visual tokens per model. */
  resolution: ResolutionOutcome | null;
  max_new_tokens: number;
  sampling: { temperature: number; top_k: number; top_p: number; seed: number };
  stop: string[];
  backend: Partial<Record<ModelRole, string>>;
  models: CliModel[];
  /** The trio's stepping order for guided and for side-by-side runs (null in-thread). */
  schedule: { placement: PlacementChoice; guided: CliStepping; side_by_side: CliStepping } | null;
  prompt_ids: Partial<Record<ModelRole, number[]>>;
  streams: Partial<Record<'base' | 'guided' | 'expert', CliStream>>;
  timings: {
    load_ms: number;
    prefill_ms: number;
    prefill_reused: boolean;
    first_token_ms: number | null;
    total_ms: number;
    /** Median of each model's per-token step time (tokens after the first). */
    step_ms_median: Partial<Record<ModelRole, number | null>>;
    /** Decode loop wall time per token after the first: (step wait + coordinator) / (steps − 1). */
    decode_ms_per_token: number | null;
    coordinator_ms: number | null;
    /** Each model's messaging over the run, ms: step sent → begun in its worker, ended → reply seen. */
    messaging_ms: Partial<Record<ModelRole, { in: number; out: number }>>;
    /** How the coordinator merged the logits: 'wasm-simd' or 'js'. */
    merge: string | null;
    /** The stepping order as the run left it, with its probes of the others (null when the order is fixed). */
    stepping: LoopStats['stepping'] | null;
    steps: number | null;
  };
  chromium: string;
}

/** The median, or null for no values (the reports print a dash). */
export function median(xs: readonly number[]): number | null {
  return xs.length ? coreMedian(xs) : null;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export class RunFailure extends Error {
  override name = 'RunFailure';
  readonly exitCode = EXIT.FAILURE;
}

export interface ResolvedTrio {
  /** What window.proxyThinker.load() takes: a preset id, or a folder URL per role. */
  trio: string | Record<ModelRole, string>;
  folders: Record<ModelRole, { folder: string; url: string }>;
  /** The server mounts the folders need. */
  mounts: Mount[];
}

/** Checks a preset's folders or the three given folders, and where the page will load them from. */
export async function resolveTrio(opts: Pick<GenerateOptions, 'trio' | 'dirs' | 'dtype'>): Promise<ResolvedTrio> {
  const mounts: Mount[] = [];
  const folders = {} as Record<ModelRole, { folder: string; url: string }>;
  if (opts.trio) {
    const dirs = await presetDirs(opts.trio, MODELS, fixedDtype(opts.dtype));
    for (const r of MODEL_ROLES) folders[r] = { folder: dirs[r].dir, url: `/models/${dirs[r].name}/` };
    return { trio: opts.trio, folders, mounts };
  }
  const d = opts.dirs;
  if (!d) throw new InputError('no model folders');
  const dtype = fixedDtype(opts.dtype) ?? 'q4';
  const full = {} as Record<ModelRole, string>;
  for (const r of MODEL_ROLES) full[r] = await checkModelDir(d[r], dtype, `${r} model`);
  const names = mountNames(full);
  const urls = {} as Record<ModelRole, string>;
  for (const r of MODEL_ROLES) {
    urls[r] = `/local-models/${names[r]}/`;
    folders[r] = { folder: full[r], url: urls[r] };
    if (!mounts.some((m) => m.urlPath === urls[r])) mounts.push({ urlPath: urls[r], dir: full[r] });
  }
  return { trio: urls, folders, mounts };
}

export async function generate(opts: GenerateOptions, log: Log): Promise<CliOutput> {
  // Inputs first: a wrong path should fail in milliseconds, not after a build and a browser start.
  const image = opts.image ? await checkImage(opts.image) : null;
  const { trio, folders, mounts } = await resolveTrio(opts);
  if (image) mounts.push({ urlPath: IMAGE_URL, file: image.path, contentType: image.contentType });

  try {
    await ensureBuild(opts.build, log);
  } catch (e) {
    throw new RunFailure(e instanceof Error ? e.message : String(e));
  }
  const session = await openSession({
    mounts,
    chromium: opts.chromium,
    log,
    ...(opts.verbose ? { onConsole: (type: string, text: string) => log(`[browser ${type}] ${text}`) } : {}),
  }).catch((e: unknown) => {
    throw new RunFailure(
      `could not start the browser session: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RunFailure(`timed out after ${opts.timeoutSec} s`)),
      opts.timeoutSec * 1000,
    );
  });
  try {
    const { page } = session;
    const loadOpts = {
      trio,
      backend: opts.backend,
      ...dtypeOption(opts.dtype),
      ...(opts.placement ? { placement: opts.placement } : {}),
      ...(opts.threads ? { wasmThreads: opts.threads } : {}),
    };
    log(`loading ${MODEL_ROLES.map((r) => folders[r].url).join(', ')} on ${opts.backend}…`);
    const loaded = await Promise.race([
      page.evaluate(async (o) => {
        const t0 = performance.now();
        const infos = await window.proxyThinker.load(o);
        return { infos, ms: performance.now() - t0 };
      }, loadOpts),
      timeout,
    ]).catch((e: unknown) => {
      throw e instanceof RunFailure ? e : new RunFailure(`loading the models failed: ${pageErrorMessage(e)}`);
    });
    log(`loaded in ${Math.round(loaded.ms)} ms; generating…`);
    const runOpts = {
      mode: opts.mode,
      resolution: opts.resolution,
      alpha: opts.alpha,
      sampling: { temperature: opts.temperature, topK: opts.topK, topP: opts.topP, seed: opts.seed },
      maxNewTokens: opts.maxNewTokens,
      question: opts.question,
      ...(opts.system ? { system: opts.system } : {}),
      ...(opts.stop.length ? { stopStrings: opts.stop } : {}),
      imageUrl: image ? IMAGE_URL : null,
    };
    const result: AutomationResult = await Promise.race([
      page.evaluate((o) => window.proxyThinker.run(o), runOpts),
      timeout,
    ]).catch((e: unknown) => {
      if (e instanceof RunFailure) throw e;
      const msg = pageErrorMessage(e);
      if (/ImageInputError|could not be decoded|is not an image|is empty/.test(msg))
        throw new InputError(`image '${opts.image}': ${msg}`);
      throw new RunFailure(`the run failed: ${msg}`);
    });
    log(`generated in ${Math.round(result.total_ms)} ms`);
    return shape(opts, loaded, result, folders, session.browser.version());
  } finally {
    clearTimeout(timer);
    await session.close();
    log('browser closed');
  }
}

function shape(
  opts: GenerateOptions,
  loaded: { infos: ModelInfo[]; ms: number },
  r: AutomationResult,
  folders: Record<ModelRole, { folder: string; url: string }>,
  chromiumVersion: string,
): CliOutput {
  const backend: Partial<Record<ModelRole, string>> = {};
  for (const i of loaded.infos) backend[i.role] = i.backend;
  const streams: CliOutput['streams'] = {};
  for (const name of ['base', 'guided', 'expert'] as const) {
    const s: StreamOutput | undefined = r.streams[name];
    if (s)
      streams[name] = {
        token_ids: s.token_ids,
        text: s.text,
        alpha: s.alpha,
        reason: s.reason,
        error: s.error,
      };
  }
  const stepMedian: Partial<Record<ModelRole, number | null>> = {};
  for (const role of MODEL_ROLES) {
    const xs = r.step_ms[role];
    if (xs) {
      const m = median(xs);
      stepMedian[role] = m === null ? null : round(m, 3);
    }
  }
  const loop = r.loop;
  return {
    schema: SCHEMA,
    trio: opts.trio,
    mode: opts.mode,
    alpha: opts.alpha,
    question: opts.question,
    image: opts.image,
    resolution: r.resolution,
    max_new_tokens: opts.maxNewTokens,
    sampling: { temperature: opts.temperature, top_k: opts.topK, top_p: opts.topP, seed: opts.seed },
    stop: opts.stop,
    backend,
    models: loaded.infos.map((i) => ({
      role: i.role,
      name: i.name,
      url: folders[i.role].url,
      folder: folders[i.role].folder,
      backend: i.backend,
      backend_reason: i.backendReason ?? null,
      dtype: i.dtype,
      vocab_rows: i.vocabRows,
      load_ms: round(i.loadMs, 1),
      wasm_threads: i.wasmThreads ?? null,
    })),
    schedule: scheduleOf(loaded.infos),
    prompt_ids: r.prompt_ids,
    streams,
    timings: {
      load_ms: round(loaded.ms, 1),
      prefill_ms: round(r.prefill_ms, 2),
      prefill_reused: r.prefill_reused,
      first_token_ms: r.first_token_ms === null ? null : round(r.first_token_ms, 2),
      total_ms: round(r.total_ms, 2),
      step_ms_median: stepMedian,
      decode_ms_per_token:
        loop && loop.steps > 1 ? round((loop.stepWaitMs + loop.coordinatorMs) / (loop.steps - 1), 3) : null,
      coordinator_ms: loop ? round(loop.coordinatorMs, 3) : null,
      messaging_ms: Object.fromEntries(Object.entries(loop?.lagMs ?? {}).map(([role, l]) => [role, { in: round(l.in, 3), out: round(l.out, 3) }])),
      merge: loop?.merge ?? null,
      stepping: loop?.stepping ?? null,
      steps: loop ? loop.steps : null,
    },
    chromium: chromiumVersion,
  };
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Control characters (other than newline and tab) shown as \uXXXX escapes, so a terminal shows them safely. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The readable (non-JSON) form. */
export function summary(o: CliOutput): string {
  const lines: string[] = [];
  const names = o.models
    .map((m) => `${m.role} ${m.name} (${m.backend}${typeof m.dtype === 'string' ? `, ${m.dtype}` : ''})`)
    .join(' · ');
  lines.push(`models: ${names}`);
  const res = o.resolution;
  if (res && res.mode !== 'full') {
    const tokens = Object.entries(res.visual_tokens)
      .map(([role, v]) => `${role} ${v.low}+${v.full}`)
      .join(', ');
    lines.push(
      `resolution ${res.mode}: ${res.escalated_at_token === null ? 'no escalation' : `asked for the full image at token ${res.escalated_at_token}`} · visual tokens low+full: ${tokens}`,
    );
  }
  lines.push(
    `mode ${o.mode}, α ${o.alpha}, up to ${o.max_new_tokens} tokens, ${o.sampling.temperature === 0 ? 'greedy' : `T ${o.sampling.temperature} top-k ${o.sampling.top_k} top-p ${o.sampling.top_p} seed ${o.sampling.seed}`}`,
  );
  for (const [name, s] of Object.entries(o.streams)) {
    if (!s) continue;
    lines.push('');
    lines.push(
      `── ${name}: ${s.token_ids.length} tokens, ${s.error ? `error ${s.error.name}: ${s.error.message}` : `stopped: ${s.reason}`}`,
    );
    lines.push(printable(s.text));
  }
  const t = o.timings;
  const steps = Object.entries(t.step_ms_median)
    .map(([r, v]) => `${r} ${v === null ? '–' : `${v} ms`}`)
    .join(', ');
  lines.push('');
  lines.push(
    `load ${t.load_ms} ms · prefill ${t.prefill_ms} ms${t.prefill_reused ? ' (reused)' : ''} · total ${t.total_ms} ms` +
      (t.decode_ms_per_token !== null ? ` · ${t.decode_ms_per_token} ms/token` : '') +
      (steps ? ` · median step: ${steps}` : ''),
  );
  return lines.join('\n');
}

function scheduleOf(infos: ModelInfo[]): CliOutput['schedule'] {
  const s = infos.find((i) => i.schedule)?.schedule;
  if (!s) return null;
  const one = (c: SteppingChoice): CliStepping => ({ stepping: c.stepping, measured_ms: c.measuredMs, why: c.why });
  return { placement: s.placement, guided: one(s.guided), side_by_side: one(s.sideBySide) };
}
