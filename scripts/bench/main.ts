/**
 * `npm run bench`: the real engine in headless Chromium, per backend (WASM and WebGPU):
 * per-token decode time of each model alone, guided, side-by-side, the naive single-thread loop and
 * transformers.js generate(); coordinator cost, time to first token, memory and heap growth. Writes
 * bench/results.json and bench/chart.svg and prints the ratio table (G1…G6). Not part of `npm test`.
 *
 * Every configuration runs in the same round, one after another, so a change of machine load hits
 * all of them alike; each ratio is the median over rounds of that round's ratio.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { findPreset, MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import { median } from '../cli/generate';
import { dtypeSuffix } from '../cli/inputs';
import { ensureBuild, MODELS, openSession, ROOT, type Session } from '../cli/runner';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BackendPlan, type BenchOptions } from './args';
import { renderChart } from './chart';
import { g4Analysis } from './g4';
import { IMAGE_URL, load, reference, run, stats, TOP_P, type BenchLoad, type RunFigures } from './measure';
import { Cdp, pageMemory, processMemory, targetMemory, type TargetMemory } from './memory';
import { G5_IMAGE_URL, maxSide, measureG5, writeDetailedImage, type G5Figures } from './visionthink';
import { benchSweep } from './sweep';

const T0 = performance.now();
const elapsed = () => `${((performance.now() - T0) / 1000).toFixed(0).padStart(4)} s`;
const say = (line: string) => process.stderr.write(`[bench ${elapsed()}] ${line}\n`);
const r2 = (x: number | null | undefined, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d;

/** Configurations measured each round, in order. */
const CONFIGS = [
  'base',
  'expert',
  'amateur',
  'guided',
  'side_by_side',
  'naive',
  'naive_same_threads',
  'guided_concurrent_1t',
  'reference',
  'guided_top_p',
] as const;
type Config = (typeof CONFIGS)[number];

export interface Ratio {
  value: number | null;
  target: number;
  /** How value is compared with target. */
  op: '<=';
  what: string;
}

function ratio(value: number | null, target: number, what: string): Ratio {
  return { value: r2(value, 3), target, op: '<=', what };
}

function weightsBytes(folder: string, dtype: string): number {
  let total = 0;
  for (const s of ['decoder_model_merged', 'embed_tokens', 'vision_encoder']) {
    try {
      total += statSync(join(folder, 'onnx', `${s}${dtypeSuffix(dtype)}.onnx`)).size;
    } catch {
      // missing: counted as 0 (the load would have failed)
    }
  }
  return total;
}

function writeImage(path: string): void {
  // A bar chart on a light background, 224×224 (64 visual tokens after the 2×2 merge of 14-px patches).
  const w = 224;
  const h = 224;
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const bar = Math.floor((x - 16) / 40);
      const top = h - 20 - (bar + 1) * 32;
      const inBar = x >= 16 && (x - 16) % 40 < 28 && bar < 5 && y >= top && y < h - 20;
      const axis = x === 10 || y === h - 14;
      const [r, g, b] = axis ? [30, 30, 30] : inBar ? [42 + bar * 30, 111, 219 - bar * 25] : [244, 241, 232];
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = 255;
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}

interface MemorySnapshot {
  /** JS heap per worker (by name) and of the page, after a forced GC. */
  targets: TargetMemory[];
  /** measureUserAgentSpecificMemory() of the page and its workers (JS + WebAssembly memory), after that GC. */
  total: number | null;
  page: Awaited<ReturnType<typeof pageMemory>>;
  process_pss_kb: Record<string, number>;
}

async function snapshot(cdp: Cdp, contextId: string, page: Page): Promise<MemorySnapshot> {
  const targets = await targetMemory(cdp, contextId, page);
  const pm = await pageMemory(page);
  return { targets, total: pm.ua_bytes, page: pm, process_pss_kb: processMemory().pss_kb };
}

/**
 * Bytes (JS + wasm) per worker script from measureUserAgentSpecificMemory(). The three model workers
 * share one script URL, so they are told apart by size: the base model is the largest.
 */
function workerBytes(snap: MemorySnapshot): {
  models: Partial<Record<ModelRole, number>>;
  coordinator: number | null;
  reference: number | null;
} {
  const rows = snap.page.ua_breakdown.filter((b) => b.scope === 'DedicatedWorkerGlobalScope');
  const models = rows
    .filter((b) => b.url.startsWith('model.worker'))
    .map((b) => b.bytes)
    .sort((a, b) => b - a);
  const out: Partial<Record<ModelRole, number>> = {};
  MODEL_ROLES.forEach((role, i) => {
    const v = models[i];
    if (v !== undefined) out[role] = v;
  });
  const one = (prefix: string) => rows.find((b) => b.url.startsWith(prefix))?.bytes ?? null;
  return { models: out, coordinator: one('coordinator.worker'), reference: one('reference.worker') };
}

const MB = (b: number) => Math.round((b / 1048576) * 10) / 10;

const LOAD_TIMEOUT_MS = 600_000;
const RUN_TIMEOUT_MS = 600_000;

/**
 * Rejects on the first uncaught error in the page or one of its workers: an engine that crashed inside
 * a worker may otherwise leave its promise pending forever.
 */
function pageCrash(page: Page): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    page
      .context()
      .on('weberror', (e) =>
        reject(new Error(`uncaught error in the page or a worker: ${e.error().message}`)),
      );
  });
  p.catch(() => undefined);
  return p;
}

/** Rejects when `p` takes longer than `ms` (a hung page must not hang the whole bench). */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function benchBackend(
  session: Session,
  cdp: Cdp,
  plan: BackendPlan,
  opts: BenchOptions,
): Promise<Record<string, unknown>> {
  const { backend } = plan;
  const preset = findPreset(plan.trio);
  const urls = {} as Record<ModelRole, string>;
  const folders = {} as Record<ModelRole, { name: string; folder: string; dtype: string }>;
  for (const role of MODEL_ROLES) {
    const m = preset.models[role];
    if (m.kind !== 'url') throw new Error(`${plan.trio} is not a local trio`);
    urls[role] = m.baseUrl;
    const dtype = plan.dtype ?? (typeof m.dtype === 'string' ? m.dtype : 'q4');
    folders[role] = { name: m.name, folder: join(MODELS, m.name), dtype };
  }
  const dtypeOpt = plan.dtype ? { dtype: plan.dtype } : {};
  // No threads given: the engine picks its own schedule (on 2 cores: 2 threads each, one model after another).
  const threadsOpt = backend === 'wasm' && plan.threads !== null ? { wasmThreads: plan.threads } : {};
  const N = plan.tokens + 1;
  const q = opts.question;

  say(
    `${backend}: trio ${plan.trio}${plan.dtype ? ` (${plan.dtype})` : ''}, ${plan.tokens} decode steps × ${plan.runs} runs, ${plan.growth} generations for heap growth`,
  );
  const main = await session.openPage();
  const contextId = await Cdp.contextIdOf(main);
  const memBefore = await snapshot(cdp, contextId, main);
  const adapter = await main.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : null;
  });

  // 1. The trio in its workers; warm-up (compiles kernels, fills the prompt cache).
  const loadMain = await within(
    LOAD_TIMEOUT_MS,
    'trio load',
    Promise.race([load(main, { trio: plan.trio, backend, ...dtypeOpt, ...threadsOpt }), pageCrash(main)]),
  );
  say(
    `${backend}: trio loaded in ${(loadMain.ms / 1000).toFixed(1)} s (${loadMain.infos.map((i) => `${i.role} ${i.backend}`).join(', ')})`,
  );
  for (const mode of ['guided', 'side-by-side', 'base', 'expert'] as const)
    await within(RUN_TIMEOUT_MS, `${mode} warm-up`, run(main, { mode, tokens: 3, question: q }));
  const memLoaded = await snapshot(cdp, contextId, main);

  // 2. The reference: transformers.js generate() on the base model, in its own worker of the same page.
  // The reference gets the base model's own thread count (the engine's schedule may have chosen it).
  const baseThreads = loadMain.infos.find((i) => i.role === 'base')?.wasmThreads;
  const refReq = {
    modelUrl: urls.base,
    backend,
    ...dtypeOpt,
    ...(backend === 'wasm' && baseThreads ? { wasmThreads: baseThreads } : threadsOpt),
    question: q,
    imageUrl: IMAGE_URL,
  };
  const refWarm = await within(
    LOAD_TIMEOUT_MS,
    'reference load',
    reference(main, { ...refReq, maxNewTokens: 3 }),
  );
  say(`${backend}: reference loaded in ${(refWarm.load_ms / 1000).toFixed(1)} s`);
  const memReference = await snapshot(cdp, contextId, main);

  // 3. The amateur alone (in the expert slot of a trio of amateurs) and the naive loop, in their own
  //    pages. Either may fail (the naive placement is not supported everywhere): the bench goes on.
  const unavailable: Record<string, string> = {};
  const side = async (
    what: 'amateur' | 'naive' | 'naive_same_threads' | 'concurrent_1t',
    opts2: BenchLoad,
  ): Promise<{ page: Page; ms: number } | null> => {
    const page = await session.openPage();
    try {
      const crash = pageCrash(page);
      const l = await within(LOAD_TIMEOUT_MS, `${what} load`, Promise.race([load(page, opts2), crash]));
      await within(
        RUN_TIMEOUT_MS,
        `${what} warm-up`,
        Promise.race([
          run(page, { mode: what === 'amateur' ? 'expert' : 'guided', tokens: 3, question: q }),
          crash,
        ]),
      );
      return { page, ms: l.ms };
    } catch (e) {
      unavailable[what] = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
      say(`${backend}: ${what} page unavailable: ${unavailable[what]}`);
      await page
        .context()
        .close()
        .catch(() => undefined);
      return null;
    }
  };
  // The naive loop gets every core for each model in turn (as a sequential implementation would); on
  // WASM it is also measured with the workers' own thread count, so that only the placement differs.
  // Also on WASM: the three workers stepping concurrently with 1 thread each (the former default), and
  // the naive loop with that same 1 thread, so that G4c compares the placements alone.
  const sameThreads = backend === 'wasm' && plan.naiveThreads !== 1;
  const concurrent = backend === 'wasm' && plan.threads === null;
  const [am, naive, naiveSame, conc] = await Promise.all([
    side('amateur', {
      trio: { base: urls.amateur, expert: urls.amateur, amateur: urls.amateur },
      backend,
      ...dtypeOpt,
      ...threadsOpt,
    }),
    side('naive', {
      trio: plan.trio,
      backend,
      ...dtypeOpt,
      placement: 'single-thread',
      ...(backend === 'wasm' ? { wasmThreads: plan.naiveThreads } : {}),
    }),
    sameThreads
      ? side('naive_same_threads', {
          trio: plan.trio,
          backend,
          ...dtypeOpt,
          placement: 'single-thread',
          wasmThreads: 1,
        })
      : Promise.resolve(null),
    concurrent
      ? side('concurrent_1t', {
          trio: plan.trio,
          backend,
          ...dtypeOpt,
          wasmThreads: 1,
          stepping: 'concurrent',
        })
      : Promise.resolve(null),
  ]);
  say(
    `${backend}: amateur page ${am ? `loaded in ${(am.ms / 1000).toFixed(1)} s` : 'unavailable'}, naive page ${naive ? `loaded in ${(naive.ms / 1000).toFixed(1)} s` : 'unavailable'}`,
  );

  // 4. Rounds: every configuration once per round, back to back.
  //    A first unrecorded round at the full length warms up what the short warm-ups above do not reach:
  //    on WebGPU every new sequence length compiles new kernels; on WASM the first full round was
  //    repeatedly 2–4× slower than the next ones (code tiering, the other pages still settling).
  const rounds: Partial<Record<Config, RunFigures>>[] = [];
  const warmRounds = 1;
  for (let r = -warmRounds; r < plan.runs; r++) {
    const round: Partial<Record<Config, RunFigures>> = {};
    const label = r < 0 ? 'warm-up round' : `round ${r + 1}/${plan.runs}`;
    const one = async (c: Config, f: () => Promise<RunFigures>) => {
      const fig = await within(RUN_TIMEOUT_MS, `${c} run`, f());
      round[c] = fig;
      if (opts.verbose)
        say(
          `${backend} ${label} ${c}: ${fig.per_token_ms.toFixed(1)} ms/token, tokens ${fig.tokens.join('/')}`,
        );
    };
    await one('base', () => run(main, { mode: 'base', tokens: N, question: q }));
    await one('expert', () => run(main, { mode: 'expert', tokens: N, question: q }));
    if (am) await one('amateur', () => run(am.page, { mode: 'expert', tokens: N, question: q }));
    await one('guided', () => run(main, { mode: 'guided', tokens: N, question: q }));
    await one('side_by_side', () => run(main, { mode: 'side-by-side', tokens: N, question: q }));
    if (naive)
      await one('naive', () => run(naive.page, { mode: 'guided', tokens: N, question: q, label: 'naive' }));
    if (naiveSame)
      await one('naive_same_threads', () =>
        run(naiveSame.page, { mode: 'guided', tokens: N, question: q, label: 'naive' }),
      );
    if (conc)
      await one('guided_concurrent_1t', () =>
        run(conc.page, { mode: 'guided', tokens: N, question: q, label: 'guided' }),
      );
    await one('reference', () => reference(main, { ...refReq, maxNewTokens: N }));
    if (r >= 0) rounds.push(round);
    const f = (c: Config) => round[c]?.per_token_ms.toFixed(0) ?? '—';
    say(
      `${backend} ${label}: ms/token base ${f('base')} expert ${f('expert')} amateur ${f('amateur')} guided ${f('guided')} side-by-side ${f('side_by_side')} naive ${f('naive')}${naiveSame ? ` naive@1t ${f('naive_same_threads')}` : ''}${conc ? ` concurrent@1t ${f('guided_concurrent_1t')}` : ''} reference ${f('reference')}`,
    );
  }
  // Top-p sampling once (the coordinator's cost with a nucleus over the whole vocabulary).
  const topP = await within(
    RUN_TIMEOUT_MS,
    'top-p run',
    run(main, { mode: 'guided', tokens: N, question: q, sampling: TOP_P }),
  );

  // 5. Time to first token with a new prompt (cold prefill) on the guided trio.
  const ttft: { first_token_ms: number | null; prefill_ms: number }[] = [];
  for (let i = 0; i < plan.runs; i++) {
    const f = await within(
      RUN_TIMEOUT_MS,
      'first-token run',
      run(main, { mode: 'guided', tokens: 1, question: `${q} (${i + 1})` }),
    );
    ttft.push({ first_token_ms: f.first_token_ms, prefill_ms: f.prefill_ms });
  }

  // 5b. G5 (VisionThink): cold time to first token at low vs full resolution, image at max_pixels.
  say(`${backend}: G5, ${plan.g5Runs} pairs of cold first-token runs at low and full resolution…`);
  const g5: G5Figures | null =
    plan.g5Runs > 0
      ? await within(
          RUN_TIMEOUT_MS * 2,
          'G5 runs',
          measureG5(main, q, plan.g5Runs, `${G5_IMAGE_URL}-${plan.trio}`),
        )
      : null;
  // The same at half the side (a quarter of the pixels): how G5 depends on the image's size.
  const g5Half: G5Figures | null =
    plan.g5Runs > 0
      ? await within(
          RUN_TIMEOUT_MS * 2,
          'G5 runs (half-side image)',
          measureG5(main, `${q} (half-side image)`, plan.g5Runs, `${G5_IMAGE_URL}-half-${plan.trio}`),
        )
      : null;
  for (const f of [g5, g5Half])
    if (f)
      say(
        `${backend}: G5 at ${f.image_px.join('×')}: ttft low ${r2(f.ttft_low_ms.median, 0)} ms / full ${r2(f.ttft_full_ms.median, 0)} ms = ${r2(f.ratio, 3)}; visual tokens ${JSON.stringify(f.visual_tokens.base)}`,
      );

  await Promise.all([
    am?.page.context().close(),
    naive?.page.context().close(),
    naiveSame?.page.context().close(),
    conc?.page.context().close(),
  ]);
  await main.evaluate(() => window.proxyThinker.referenceDispose());

  // 6. Heap growth over consecutive short generations (side-by-side: all three models, both streams).
  say(`${backend}: ${plan.growth} generations of ${plan.growthTokens} tokens for heap growth…`);
  await within(
    RUN_TIMEOUT_MS,
    'growth run',
    run(main, { mode: 'side-by-side', tokens: plan.growthTokens, question: q }),
  );
  const growthFirst = await snapshot(cdp, contextId, main);
  const tGrowth = performance.now();
  for (let i = 1; i < plan.growth; i++)
    await within(
      RUN_TIMEOUT_MS,
      'growth run',
      run(main, { mode: 'side-by-side', tokens: plan.growthTokens, question: q }),
    );
  const growthMs = performance.now() - tGrowth;
  const growthLast = await snapshot(cdp, contextId, main);
  await main.context().close();

  // ---- figures
  const per = (c: Config) => rounds.map((x) => x[c]?.per_token_ms ?? NaN);
  const tk = (x: Partial<Record<Config, RunFigures>>, c: Config) => x[c]?.per_token_ms ?? NaN;
  /** Median over rounds of a per-round figure; null when no round has it. */
  const perRound = (f: (x: Partial<Record<Config, RunFigures>>) => number) =>
    median(rounds.map(f).filter(Number.isFinite));
  const t: Record<string, unknown> = Object.fromEntries(
    CONFIGS.filter((c) => c !== 'guided_top_p').map((c) => [
      c,
      { ...stats(per(c)), runs: per(c).map((x) => r2(x)) },
    ]),
  );
  t.guided_top_p = { ...stats([topP.per_token_ms]), runs: [r2(topP.per_token_ms)] };
  const coord = (c: Config) =>
    median(rounds.map((x) => x[c]?.coordinator_ms_per_step ?? NaN).filter(Number.isFinite));
  const modelSteps = Object.fromEntries(
    CONFIGS.map((c) => [
      c,
      Object.fromEntries(
        MODEL_ROLES.map((role) => [
          role,
          r2(median(rounds.map((x) => x[c]?.model_step_ms[role] ?? NaN).filter(Number.isFinite))),
        ]).filter(([, v]) => v !== null),
      ),
    ]),
  );
  modelSteps.guided_top_p = Object.fromEntries(
    Object.entries(topP.model_step_ms).map(([k, v]) => [k, r2(v)]),
  );

  const engineIds = rounds[0]?.base?.token_ids ?? [];
  const refIds = rounds[0]?.reference?.token_ids ?? [];
  const mismatch = engineIds.findIndex((id, i) => refIds[i] !== id);

  // Memory per model: each model worker (JS + wasm, after GC) vs its weights, and the base model's
  // worker vs the same model in the reference worker (plain transformers.js: one copy of the weights).
  const weights = Object.fromEntries(
    MODEL_ROLES.map((role) => [role, weightsBytes(folders[role].folder, folders[role].dtype)]),
  ) as Record<ModelRole, number>;
  const loadedBytes = workerBytes(memLoaded);
  const refBytes = workerBytes(memReference).reference;
  const perModel = MODEL_ROLES.map((role) => {
    const resident = loadedBytes.models[role] ?? null;
    const js = memLoaded.targets.find((x) => x.title === `model-${role}`)?.js_heap ?? null;
    return {
      role,
      name: folders[role].name,
      weights_bytes: weights[role],
      resident_bytes: resident,
      js_heap: js,
      resident_over_weights: resident === null ? null : r2(resident / weights[role], 3),
    };
  });
  const engineBase = loadedBytes.models.base ?? null;
  const gpuDelta =
    (memLoaded.process_pss_kb['gpu-process'] ?? 0) - (memBefore.process_pss_kb['gpu-process'] ?? 0);
  const gpuRefDelta =
    (memReference.process_pss_kb['gpu-process'] ?? 0) - (memLoaded.process_pss_kb['gpu-process'] ?? 0);
  const growthRatio = growthFirst.total && growthLast.total ? growthLast.total / growthFirst.total : null;

  const ratios: Record<string, Ratio | null> = {
    G1: ratio(
      perRound((x) => tk(x, 'guided') / (tk(x, 'base') + tk(x, 'expert') + tk(x, 'amateur'))),
      1.0,
      't_guided / (t_base + t_expert + t_amateur)',
    ),
    G2: ratio(
      perRound((x) => tk(x, 'side_by_side') / tk(x, 'guided')),
      1.1,
      't_side_by_side / t_guided',
    ),
    G3: ratio(
      perRound((x) => tk(x, 'base') / tk(x, 'reference')),
      1.0,
      't_base (our worker loop) / transformers.js generate()',
    ),
    G4: ratio(
      perRound((x) => tk(x, 'guided') / tk(x, 'naive')),
      0.9,
      "t_guided (engine's schedule) / t_naive (single-thread placement, all cores per model)",
    ),
    G4b: ratio(
      perRound((x) => (x.guided?.coordinator_ms_per_step ?? NaN) / tk(x, 'guided')),
      0.02,
      'coordinator ms per token / t_guided',
    ),
    G4c: ratio(
      perRound((x) => tk(x, concurrent ? 'guided_concurrent_1t' : 'guided') / tk(x, 'naive_same_threads')),
      0.9,
      't_guided / t_naive, both with 1 WASM thread per model, workers stepping concurrently (placement alone)',
    ),
    G5: g5
      ? ratio(g5.ratio, 0.35, 'time to first token (new prompt) at low resolution / at full resolution')
      : null,
    G6: ratio(
      growthRatio,
      1.05,
      `page + workers memory (JS + wasm, after GC) after ${plan.growth} generations / after the first`,
    ),
    G6b: ratio(
      engineBase !== null && refBytes ? engineBase / refBytes : null,
      1.1,
      "base model's worker memory / same model in plain transformers.js",
    ),
  };

  return {
    trio: plan.trio,
    dtype: plan.dtype ?? folders.base.dtype,
    question: q,
    decode_steps_per_run: plan.tokens,
    runs: plan.runs,
    wasm_threads_per_worker: backend === 'wasm' ? plan.threads : null,
    schedule: Object.fromEntries(
      loadMain.infos.map((i) => [
        i.role,
        { wasm_threads: i.wasmThreads ?? null, stepping: i.stepping ?? null },
      ]),
    ),
    g4_analysis: g4Analysis(rounds, plan, cpus().length),
    naive_wasm_threads: backend === 'wasm' ? plan.naiveThreads : null,
    webgpu_adapter: adapter,
    models: loadMain.infos.map((i) => ({
      role: i.role,
      name: i.name,
      backend: i.backend,
      backend_reason: i.backendReason ?? null,
      vocab_rows: i.vocabRows,
      load_ms: r2(i.loadMs, 0),
      weights_bytes: weights[i.role],
    })),
    load_ms: {
      trio: r2(loadMain.ms, 0),
      amateur_trio: r2(am?.ms, 0),
      naive_trio: r2(naive?.ms, 0),
      naive_same_threads_trio: r2(naiveSame?.ms, 0),
      concurrent_1t_trio: r2(conc?.ms, 0),
      reference: r2(refWarm.load_ms, 0),
    },
    unavailable,
    per_token_ms: t,
    model_step_ms: modelSteps,
    coordinator_ms_per_token: {
      guided: r2(coord('guided'), 3),
      guided_top_p: r2(topP.coordinator_ms_per_step, 3),
      side_by_side: r2(coord('side_by_side'), 3),
      base: r2(coord('base'), 3),
      naive: r2(coord('naive'), 3),
      naive_same_threads: r2(coord('naive_same_threads'), 3),
      guided_concurrent_1t: r2(coord('guided_concurrent_1t'), 3),
    },
    time_to_first_token_ms: {
      cold: {
        ...stats(ttft.map((x) => x.first_token_ms ?? NaN)),
        prefill_ms: r2(median(ttft.map((x) => x.prefill_ms))),
      },
      warm_prefill_reused: stats(rounds.map((x) => x.guided?.first_token_ms ?? NaN)),
      reference_cold: stats(rounds.map((x) => x.reference?.first_token_ms ?? NaN)),
    },
    visionthink: g5,
    visionthink_half_side_image: g5Half,
    parity: {
      equal: mismatch < 0 && engineIds.length === refIds.length,
      first_mismatch: mismatch,
      engine_base_ids: engineIds,
      reference_ids: refIds,
    },
    memory: {
      per_model: perModel,
      coordinator_bytes: loadedBytes.coordinator,
      reference_worker_bytes: refBytes,
      gpu_process_pss_delta_kb: { trio_load: gpuDelta, reference_load: gpuRefDelta },
      before_load: memBefore,
      after_load: memLoaded,
      with_reference: memReference,
      growth: {
        generations: plan.growth,
        tokens_each: plan.growthTokens,
        ms: r2(growthMs, 0),
        first: growthFirst,
        last: growthLast,
        ratio: r2(growthRatio, 4),
      },
    },
    ratios,
    rounds: rounds.map((x) =>
      Object.fromEntries(
        Object.entries(x).map(([c, f]) => [
          c,
          {
            per_token_ms: r2(f.per_token_ms),
            tokens: f.tokens,
            coordinator_ms_per_step: r2(f.coordinator_ms_per_step, 3),
            model_step_ms: Object.fromEntries(Object.entries(f.model_step_ms).map(([k, v]) => [k, r2(v)])),
            cpu_ms_per_token: r2(f.cpu_ms_per_token, 0),
          },
        ]),
      ),
    ),
  };
}

function table(results: Record<string, Record<string, unknown>>): string {
  const backends = Object.keys(results);
  const rows = ['G1', 'G2', 'G3', 'G4', 'G4b', 'G4c', 'G5', 'G6', 'G6b'];
  const first = results[backends[0] ?? ''] as { ratios?: Record<string, Ratio | null> } | undefined;
  const lines: string[] = [];
  const head = ['ratio', 'what'.padEnd(62), 'target', ...backends.map((b) => b.padStart(12))];
  lines.push(head.join('  '));
  for (const id of rows) {
    const any = first?.ratios?.[id];
    const what = any?.what ?? '';
    const cells = backends.map((b) => {
      const r = (results[b] as { ratios: Record<string, Ratio | null> }).ratios[id];
      if (!r || r.value === null) return '—'.padStart(12);
      const ok = r.value <= r.target;
      return `${r.value.toFixed(3)} ${ok ? 'ok  ' : 'MISS'}`.padStart(12);
    });
    lines.push(
      [
        id.padEnd(5),
        what.slice(0, 62).padEnd(62),
        any ? `≤ ${any.target.toFixed(2)}` : '      ',
        ...cells,
      ].join('  '),
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseBenchArgs(process.argv.slice(2), cpus().length);
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof BenchUsageError ? 2 : 1;
  }
  if (opts === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const outDir = resolve(ROOT, opts.out);
  mkdirSync(outDir, { recursive: true });
  const imagePath = join(outDir, '.bench-image.png');
  writeImage(imagePath);
  // G5's images: the largest square each trio's processor keeps (max_pixels), and half its side.
  const g5Mounts = [...new Set(opts.plans.map((p) => p.trio))].flatMap((trio) => {
    const side = maxSide(join(MODELS, findPreset(trio).models.base.name));
    return [
      { name: trio, side },
      { name: `half-${trio}`, side: Math.max(56, Math.floor(side / 56) * 28) },
    ].map(({ name, side: px }) => {
      const file = join(outDir, `.bench-image-max-${name}.png`);
      writeDetailedImage(file, px);
      return { urlPath: `${G5_IMAGE_URL}-${name}`, file, contentType: 'image/png' };
    });
  });
  await ensureBuild('auto', say, say);
  const loadStart = loadavg();
  const session = await openSession({
    mounts: [{ urlPath: IMAGE_URL, file: imagePath, contentType: 'image/png' }, ...g5Mounts],
    chromium: opts.chromium,
    // Precise performance.memory; measureUserAgentSpecificMemory() without waiting for a natural GC.
    extraArgs: ['--enable-precise-memory-info', '--enable-blink-features=ForceEagerMeasureMemory'],
    log: say,
  });
  const cdp = await Cdp.open(session.browser);
  const chromiumVersion = session.browser.version();
  const results: Record<string, Record<string, unknown>> = {};
  const failures: Record<string, string> = {};
  let sweep: Record<string, unknown> | null = null;
  /** results.json and chart.svg as they stand (after each backend, at the end, on Ctrl-C). */
  const write = () => {
    const cpu = cpus();
    const doc = {
      schema: 'proxythinker-bench@1',
      date: new Date().toISOString(),
      duration_s: Math.round((performance.now() - T0) / 1000),
      quick: opts.quick,
      complete: Object.keys(results).length + Object.keys(failures).length === opts.plans.length,
      machine: {
        cpu: cpu[0]?.model ?? 'unknown',
        cores: cpu.length,
        memory_bytes: totalmem(),
        os: `${platform()} ${release()}`,
        node: process.version,
        chromium: chromiumVersion,
        loadavg_start: loadStart.map((x) => r2(x)),
        loadavg_end: loadavg().map((x) => r2(x)),
      },
      definitions: {
        per_token_ms:
          'decode wall time per token after the first: (loop.stepWaitMs + loop.coordinatorMs) / (loop.steps − 1) for the engine, (total − first token) / (tokens − 1) for generate(); per configuration the median over runs',
        ratios:
          'median over rounds of the ratio within each round (every configuration runs once per round, back to back)',
        memory:
          'measureUserAgentSpecificMemory() per worker (JS + WebAssembly memory) after a forced GC of every worker and the page; model workers share a script URL and are told apart by size (base = largest)',
      },
      backends: results,
      sweep,
      failures,
    };
    writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
    writeFileSync(join(outDir, 'chart.svg'), renderChart(doc));
  };
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: writing what was measured so far`);
    write();
    void session.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const hasReference = await session.page.evaluate(
      () => typeof window.proxyThinker.referenceGenerate === 'function',
    );
    if (!hasReference)
      throw new Error('dist/ has no window.proxyThinker.referenceGenerate: rebuild the app (vite build)');
    for (const plan of opts.onlySweep ? [] : opts.plans) {
      try {
        results[plan.backend] = await benchBackend(session, cdp, plan, opts);
      } catch (e) {
        const msg = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
        failures[plan.backend] = msg;
        say(`${plan.backend} failed: ${msg}`);
      }
      write();
    }
    if (opts.sweep.rounds > 0) {
      const s = opts.sweep;
      sweep = await benchSweep(session.page, { trio: s.trio, backend: 'wasm', dtype: null, tokens: s.tokens, rounds: s.rounds, ks: [1, 3, 5], imageUrl: IMAGE_URL }, say).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
      write();
    }
  } finally {
    await cdp.close();
    await session.close();
    write();
    say(`wrote ${join(opts.out, 'results.json')} and ${join(opts.out, 'chart.svg')}`);
    if (Object.keys(results).length) process.stdout.write(`\n${table(results)}\n\n`);
    for (const [b, r] of Object.entries(results)) {
      const tt = (r as { per_token_ms: Record<string, { median: number | null }> }).per_token_ms;
      const cells = CONFIGS.map((c) => `${c} ${r2(tt[c]?.median, 1) ?? '—'}`).join(' · ');
      process.stdout.write(`${b} ms/token: ${cells}\n`);
      const mem = (
        r as {
          memory: { per_model: { role: string; resident_bytes: number | null; weights_bytes: number }[] };
        }
      ).memory;
      process.stdout.write(
        `${b} memory: ${mem.per_model.map((m) => `${m.role} ${m.resident_bytes === null ? '—' : MB(m.resident_bytes)} MB (weights ${MB(m.weights_bytes)} MB)`).join(' · ')}\n`,
      );
    }
  }
  return Object.keys(failures).length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
