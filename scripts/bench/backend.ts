/**
 * One backend's bench: the trio in its workers, the reference and the side pages (amateur alone, the
 * naive loop), the rounds, first-token and G5 runs, memory snapshots and heap growth. The figures
 * and ratios are worked out from these measurements in ./analysis.ts.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { findPreset, MODEL_ROLES, sourceDtype, type Dtype, type ModelRole } from '../../src/core/presets';
import type { ModelInfo } from '../../src/core/protocol';
import { MODELS, type Session } from '../cli/runner';
import { backendFigures } from './analysis';
import type { BackendPlan, BenchOptions } from './args';
import type { Config, Round } from './configs';
import { settle, type Settled } from './cpu';
import { LOAD_TIMEOUT_MS, pageCrash, RUN_TIMEOUT_MS, within } from './guards';
import { r2, say } from './log';
import { IMAGE_URL, load, reference, run, TOP_P, type BenchLoad, type RunFigures } from './measure';
import { Cdp } from './memory';
import { snapshot } from './memory-snapshot';
import { G5_IMAGE_URL, measureG5, type G5Figures } from './visionthink';

/** The base model's plain-op twin (`<name>-plain`, made by the bench: scripts/models/catalog.ts). */
export const plainUrl = (url: string): string => `${url.replace(/\/+$/, '')}-plain/`;

export async function benchBackend(
  session: Session,
  cdp: Cdp,
  plan: BackendPlan,
  opts: BenchOptions,
): Promise<Record<string, unknown>> {
  const { backend } = plan;
  const preset = findPreset(plan.trio);
  const urls = {} as Record<ModelRole, string>;
  const folders = {} as Record<ModelRole, { name: string; folder: string; dtype: Dtype }>;
  for (const role of MODEL_ROLES) {
    const m = preset.models[role];
    if (m.kind !== 'url') throw new Error(`${plan.trio} is not a local trio`);
    urls[role] = m.baseUrl;
    // The app's own choice for this backend (q8 on WASM for the local trios), fixed for every page.
    const own = sourceDtype(m, backend);
    folders[role] = { name: m.name, folder: join(MODELS, m.name), dtype: plan.dtype ?? (typeof own === 'string' ? own : 'q4') };
  }
  const dtypeOpt = { dtype: folders.base.dtype };
  // No threads given: the engine picks its own schedule (src/core/schedule.ts: on 2 cores base 2 threads, small models 1 each; order timed at load).
  const threadsOpt = backend === 'wasm' && plan.threads !== null ? { wasmThreads: plan.threads } : {};
  const N = plan.tokens + 1;
  const q = opts.question;

  say(
    `${backend}: trio ${plan.trio} (${folders.base.dtype}), ${plan.tokens} decode steps × ${plan.runs} runs, ${plan.growth} generations for heap growth`,
  );
  const main = await session.openPage();
  const contextId = await Cdp.contextIdOf(main);
  const memBefore = await snapshot(cdp, contextId, main);
  const adapter = await main.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : null;
  });

  // 1. The trio in a worker per model (memory per model is measured per worker); warm-up (compiles
  //    kernels, fills the prompt cache). Where the engine's own placement is another (one worker on
  //    WASM with few cores), guided and side-by-side are measured on a page of their own with it (3).
  const loadMain = await within(
    LOAD_TIMEOUT_MS,
    'trio load',
    Promise.race([load(main, { trio: plan.trio, backend, ...dtypeOpt, ...threadsOpt, placement: 'workers' }), pageCrash(main)]),
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
    what: 'amateur' | 'naive' | 'naive_same_threads' | 'concurrent_1t' | 'q4' | 'default',
    opts2: BenchLoad,
  ): Promise<{ page: Page; ms: number; infos: ModelInfo[] } | null> => {
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
      return { page, ms: l.ms, infos: l.infos };
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
  // On WASM in another precision than q4: the same trio in q4 with the engine's own schedule, what a
  // user ran before q8 files existed, measured in the same rounds.
  const q4Page = backend === 'wasm' && folders.base.dtype !== 'q4';
  // The engine's own placement, as a user's load gets it (no placement, no threads given).
  const ownPage = backend === 'wasm' && plan.threads === null ? side('default', { trio: plan.trio, backend, ...dtypeOpt }) : Promise.resolve(null);
  const [am, naive, naiveSame, conc, q4, own] = await Promise.all([
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
    q4Page ? side('q4', { trio: plan.trio, backend, dtype: 'q4', ...threadsOpt }) : Promise.resolve(null),
    ownPage,
  ]);
  // Only a placement other than the main page's needs a page of its own.
  const ownPlacement = own?.infos[0]?.schedule?.placement ?? loadMain.infos[0]?.schedule?.placement ?? null;
  const placed = own && ownPlacement?.placement !== 'workers' ? own : null;
  if (own && !placed) await own.page.context().close();
  // The one worker's memory (JS + WebAssembly) with the three models in it, loaded and warmed up.
  const memPlaced = placed ? await snapshot(cdp, await Cdp.contextIdOf(placed.page), placed.page) : null;
  say(`${backend}: the engine's own placement: ${ownPlacement ? `${ownPlacement.placement} (${ownPlacement.why})` : 'unknown'}`);
  say(
    `${backend}: amateur page ${am ? `loaded in ${(am.ms / 1000).toFixed(1)} s` : 'unavailable'}, naive page ${naive ? `loaded in ${(naive.ms / 1000).toFixed(1)} s` : 'unavailable'}`,
  );

  // 4. Rounds: every configuration once per round, back to back.
  //    A first unrecorded round at the full length warms up what the short warm-ups above do not reach:
  //    on WebGPU every new sequence length compiles new kernels; on WASM the first full round was
  //    repeatedly 2–4× slower than the next ones (code tiering, the other pages still settling).
  const rounds: Round[] = [];
  const warmRounds = 1;
  let settled: Settled | null = null;
  for (let r = -warmRounds; r < plan.runs; r++) {
    if (r === 0) {
      settled = await settle();
      say(`${backend}: browser ${settled.quiet ? 'quiet' : 'still busy'} (${settled.idle_cores ?? '?'} cores idle use) after ${(settled.waited_ms / 1000).toFixed(1)} s`);
    }
    const round: Round = {};
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
    await one(placed ? 'guided_workers' : 'guided', () => run(main, { mode: 'guided', tokens: N, question: q }));
    await one(placed ? 'side_by_side_workers' : 'side_by_side', () => run(main, { mode: 'side-by-side', tokens: N, question: q }));
    if (placed) {
      await one('guided', () => run(placed.page, { mode: 'guided', tokens: N, question: q }));
      await one('side_by_side', () => run(placed.page, { mode: 'side-by-side', tokens: N, question: q }));
    }
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
    if (q4) {
      await one('base_q4', () => run(q4.page, { mode: 'base', tokens: N, question: q }));
      await one('guided_q4', () => run(q4.page, { mode: 'guided', tokens: N, question: q }));
    }
    await one('reference', () => reference(main, { ...refReq, maxNewTokens: N }));
    // The same base model built in plain ONNX ops: what the converter's fused graphs gain.
    await one('reference_plain', () => reference(main, { ...refReq, modelUrl: plainUrl(urls.base), maxNewTokens: N }));
    if (r >= 0) rounds.push(round);
    const f = (c: Config) => round[c]?.per_token_ms.toFixed(0) ?? '—';
    say(
      `${backend} ${label}: ms/token base ${f('base')} expert ${f('expert')} amateur ${f('amateur')} guided ${f('guided')} side-by-side ${f('side_by_side')}${placed ? ` (a worker each: ${f('guided_workers')} / ${f('side_by_side_workers')})` : ''} naive ${f('naive')}${naiveSame ? ` naive@1t ${f('naive_same_threads')}` : ''}${conc ? ` concurrent@1t ${f('guided_concurrent_1t')}` : ''}${q4 ? ` q4: base ${f('base_q4')} guided ${f('guided_q4')}` : ''} reference ${f('reference')}`,
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
    placed?.page.context().close(),
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

  return backendFigures({
    plan,
    question: q,
    concurrent,
    adapter,
    folders,
    loadMain,
    sideLoadMs: {
      amateur: am?.ms,
      naive: naive?.ms,
      naive_same_threads: naiveSame?.ms,
      concurrent_1t: conc?.ms,
      q4: q4?.ms,
      default: placed?.ms,
    },
    placement: ownPlacement,
    referenceLoadMs: refWarm.load_ms,
    settled,
    unavailable,
    rounds,
    topP,
    ttft,
    g5,
    g5Half,
    memory: {
      placed: memPlaced,
      before: memBefore,
      loaded: memLoaded,
      reference: memReference,
      growthFirst,
      growthLast,
      growthMs,
    },
  });
}
