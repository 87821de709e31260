/**
 * One backend's figures from its measurements: per-token statistics per configuration, model step
 * and coordinator times, first-token times, parity with generate(), memory per model and the ratios
 * G1…G6b against their targets.
 */
import { cpus } from 'node:os';
import type { Settled } from './cpu';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import type { ModelInfo, PlacementChoice } from '../../src/core/protocol';
import { median } from '../cli/generate';
import type { BackendPlan } from './args';
import { CONFIGS, type Config, type Round } from './configs';
import { g4Analysis, simulateCores } from './g4';
import { r2 } from './log';
import { stats, type RunFigures } from './measure';
import { kvBytesPerToken, weightsBytes, workerBytes, type MemorySnapshot } from './memory-snapshot';
import type { G5Figures } from './visionthink';

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

/** What one backend's bench measured (./backend.ts). */
export interface BackendMeasurements {
  plan: BackendPlan;
  question: string;
  /** Whether the workers also stepped concurrently with 1 WASM thread each (guided_concurrent_1t). */
  concurrent: boolean;
  adapter: string | null;
  folders: Record<ModelRole, { name: string; folder: string; dtype: string }>;
  loadMain: { infos: ModelInfo[]; ms: number };
  /** Load times of the side pages; undefined where a page was unavailable or not run. */
  sideLoadMs: Record<'amateur' | 'naive' | 'naive_same_threads' | 'concurrent_1t' | 'q4' | 'default', number | undefined>;
  /** The engine's own placement (the page of guided and side-by-side), and why. */
  placement: PlacementChoice | null;
  referenceLoadMs: number;
  /** The wait for the idle browser to go quiet before the recorded rounds (cpu.ts settle). */
  settled: Settled | null;
  unavailable: Record<string, string>;
  rounds: Round[];
  topP: RunFigures;
  ttft: { first_token_ms: number | null; prefill_ms: number }[];
  g5: G5Figures | null;
  g5Half: G5Figures | null;
  memory: {
    /** The engine's own placement's page when it is one worker (null otherwise). */
    placed: MemorySnapshot | null;
    before: MemorySnapshot;
    loaded: MemorySnapshot;
    reference: MemorySnapshot;
    growthFirst: MemorySnapshot;
    growthLast: MemorySnapshot;
    growthMs: number;
  };
}

export function backendFigures(m: BackendMeasurements): Record<string, unknown> {
  const { plan, question: q, concurrent, adapter, folders, loadMain, unavailable, rounds, topP, ttft } = m;
  const { g5, g5Half } = m;
  const { before: memBefore, loaded: memLoaded, reference: memReference } = m.memory;
  const { growthFirst, growthLast, growthMs } = m.memory;
  const { backend } = plan;
  const per = (c: Config) => rounds.map((x) => x[c]?.per_token_ms ?? NaN);
  const tk = (x: Round, c: Config) => x[c]?.per_token_ms ?? NaN;
  /** Median over rounds of a per-round figure; null when no round has it. */
  const perRound = (f: (x: Round) => number) => median(rounds.map(f).filter(Number.isFinite));
  const t: Record<string, unknown> = Object.fromEntries(
    CONFIGS.filter((c) => c !== 'guided_top_p').map((c) => [
      c,
      { ...stats(per(c)), runs: per(c).map((x) => r2(x)) },
    ]),
  );
  t.guided_top_p = { ...stats([topP.per_token_ms]), runs: [r2(topP.per_token_ms)] };
  const coord = (c: Config, field: 'coordinator_ms_per_step' | 'coordinator_overlap_ms_per_step' = 'coordinator_ms_per_step') =>
    median(rounds.map((x) => x[c]?.[field] ?? NaN).filter(Number.isFinite));
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
  // Messaging per step and model (sent → begun, ended → seen): the time between the models' work.
  const lags = Object.fromEntries(
    CONFIGS.map((c) => [
      c,
      Object.fromEntries(
        MODEL_ROLES.flatMap((role) => {
          const side = (k: 'in' | 'out') => r2(median(rounds.map((x) => x[c]?.lag_ms_per_step[role]?.[k] ?? NaN).filter(Number.isFinite)), 3);
          const [a, b] = [side('in'), side('out')];
          return a === null || b === null ? [] : [[role, { in: a, out: b }]];
        }),
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
  // KV: what a side-by-side run of the bench's length keeps (the base model: two rows), fp32.
  const seq = (rounds[0]?.side_by_side?.prompt_tokens ?? 0) + plan.tokens + 1;
  const perModel = MODEL_ROLES.map((role) => {
    const resident = loadedBytes.models[role] ?? null;
    const js = memLoaded.targets.find((x) => x.title === `model-${role}`)?.js_heap ?? null;
    const kv = kvBytesPerToken(folders[role].folder) * seq * (role === 'base' ? 2 : 1);
    return {
      role,
      name: folders[role].name,
      weights_bytes: weights[role],
      kv_bytes: kv,
      resident_bytes: resident,
      js_heap: js,
      resident_over_weights: resident === null ? null : r2(resident / weights[role], 3),
      resident_over_weights_kv: resident === null ? null : r2(resident / (weights[role] + kv), 3),
    };
  });
  const largest = perModel.reduce((a, b) => (b.weights_bytes > a.weights_bytes ? b : a));
  // The one worker holding the three (the engine's placement here): its bytes / Σ (weights + KV).
  const sharedBytes = m.memory.placed ? workerBytes(m.memory.placed).shared : null;
  const allWeightsKv = perModel.reduce((a, p) => a + p.weights_bytes + p.kv_bytes, 0);
  const oneWorker =
    sharedBytes === null
      ? null
      : { resident_bytes: sharedBytes, weights_kv_bytes: allWeightsKv, resident_over_weights_kv: r2(sharedBytes / allWeightsKv, 3) };
  const g4 = g4Analysis(rounds, plan, cpus().length);
  const bound = g4?.bound_ms_per_token ?? null;
  // Side-by-side's base model steps two rows: its 1-thread work is scaled by its own sbs/guided step.
  const baseRows2 = perRound((x) => (x.side_by_side?.model_step_ms.base ?? NaN) / (x.guided?.model_step_ms.base ?? NaN));
  const sbsBound =
    g4 && bound !== null && baseRows2 !== null
      ? ((g4.step_ms_1t.base ?? NaN) * baseRows2 + (g4.step_ms_1t.expert ?? NaN) + (g4.step_ms_1t.amateur ?? NaN)) / g4.cores
      : null;
  const tMed = (c: Config) => median(per(c).filter(Number.isFinite));
  const engineBase = loadedBytes.models.base ?? null;
  const gpuDelta =
    (memLoaded.process_pss_kb['gpu-process'] ?? 0) - (memBefore.process_pss_kb['gpu-process'] ?? 0);
  const gpuRefDelta =
    (memReference.process_pss_kb['gpu-process'] ?? 0) - (memLoaded.process_pss_kb['gpu-process'] ?? 0);
  const growthRatio = growthFirst.total && growthLast.total ? growthLast.total / growthFirst.total : null;

  // Ratios whose denominator the engine chooses itself (its own models' steps, the naive loop at
  // threads the bench picks) are details, not targets.
  const diagnostics: Record<string, Ratio | null> = {
    G1: ratio(
      perRound((x) => tk(x, 'guided') / (tk(x, 'base') + tk(x, 'expert') + tk(x, 'amateur'))),
      1.0,
      't_guided / (t_base + t_expert + t_amateur)',
    ),
    G4: ratio(
      perRound((x) => tk(x, 'guided') / tk(x, 'naive')),
      0.9,
      "t_guided (engine's schedule) / t_naive (single-thread placement, all cores per model)",
    ),
    G4c: ratio(
      perRound((x) => tk(x, concurrent ? 'guided_concurrent_1t' : 'guided') / tk(x, 'naive_same_threads')),
      0.9,
      't_guided / t_naive, both with 1 WASM thread per model, workers stepping concurrently (placement alone)',
    ),
    // WASM in q8: against the same trio in q4, what a user ran before (null when the run is in q4).
    guided_over_q4: ratio(
      perRound((x) => tk(x, 'guided') / tk(x, 'guided_q4')),
      1.0,
      "t_guided in this run's precision / t_guided of the same trio in q4 (engine's schedule), same rounds",
    ),
    base_over_q4: ratio(
      perRound((x) => tk(x, 'base') / tk(x, 'base_q4')),
      1.0,
      "t_base in this run's precision / t_base of the same model in q4, same rounds",
    ),
  };
  const ratios: Record<string, Ratio | null> = {
    H: ratio(
      perRound((x) => tk(x, 'guided') / tk(x, 'base')),
      1.5,
      't_guided / t_base: a guided token against the base model alone at its fastest (same page, every core); target 1.10 × the work bound of the bench trio (≈ 1.34)',
    ),
    ...(backend === 'wasm'
      ? {
          guided_over_bound: ratio(
            bound === null ? null : (tMed('guided') ?? NaN) / bound,
            1.1,
            't_guided / bound, bound = Σ each model\'s 1-thread step / cores (g4_analysis)',
          ),
          side_by_side_over_bound: ratio(
            sbsBound === null ? null : (tMed('side_by_side') ?? NaN) / sbsBound,
            1.15,
            "t_side_by_side / bound, bound as for guided with the base model's step scaled by its two-row/one-row step ratio",
          ),
          memory_over_weights_kv: ratio(
            largest.resident_over_weights_kv,
            2,
            `resident bytes (JS + WebAssembly) of the largest model's worker (${largest.name}) / (its weights + KV of a side-by-side run); every model in memory.per_model`,
          ),
        }
      : {}),
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
    G4b: ratio(
      perRound((x) => (x.guided?.coordinator_ms_per_step ?? NaN) / tk(x, 'guided')),
      0.01,
      'coordinator ms per token / t_guided',
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
    schedule: {
      // Where guided and side-by-side ran: the engine's own placement. Memory, the models alone, the
      // reference and G5/G6 are measured on a page with a worker per model.
      placement: m.placement,
      ...Object.fromEntries(loadMain.infos.map((i) => [i.role, { wasm_threads: i.wasmThreads ?? null }])),
      chosen_at_load: loadMain.infos.find((i) => i.schedule)?.schedule ?? null,
      // As the last round left it: the order kept right during runs (probes of the others), in a worker per model.
      during_runs: {
        guided: rounds.at(-1)?.guided_workers?.stepping ?? rounds.at(-1)?.guided?.stepping ?? null,
        side_by_side: rounds.at(-1)?.side_by_side_workers?.stepping ?? rounds.at(-1)?.side_by_side?.stepping ?? null,
      },
    },
    g4_analysis: g4 ? { ...g4, side_by_side_bound_ms_per_token: r2(sbsBound, 1), more_cores: simulateCores(g4, [2, 4, 8, 16], g4.t_ms.guided_workers ?? (m.placement?.placement === 'workers' ? g4.t_ms.guided ?? null : null)) } : null,
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
      amateur_trio: r2(m.sideLoadMs.amateur, 0),
      naive_trio: r2(m.sideLoadMs.naive, 0),
      naive_same_threads_trio: r2(m.sideLoadMs.naive_same_threads, 0),
      concurrent_1t_trio: r2(m.sideLoadMs.concurrent_1t, 0),
      own_placement_trio: r2(m.sideLoadMs.default, 0),
      q4_trio: r2(m.sideLoadMs.q4, 0),
      reference: r2(m.referenceLoadMs, 0),
    },
    unavailable,
    settled_before_rounds: m.settled,
    per_token_ms: t,
    model_step_ms: modelSteps,
    messaging_ms_per_step: lags,
    merge: rounds[0]?.guided?.merge ?? null,
    coordinator_ms_per_token: {
      guided: r2(coord('guided'), 3),
      guided_top_p: r2(topP.coordinator_ms_per_step, 3),
      side_by_side: r2(coord('side_by_side'), 3),
      guided_workers: r2(coord('guided_workers'), 3),
      // Off the critical path: the text and events of the token just sent, done while the models step.
      guided_overlapped: r2(coord('guided', 'coordinator_overlap_ms_per_step'), 3),
      side_by_side_workers: r2(coord('side_by_side_workers'), 3),
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
    graphs: {
      what:
        "per-token decode of the base model through transformers.js generate(): the converter's graphs (fused contrib ops) vs the same weights in plain ONNX ops",
      model: folders.base.name,
      fused_ms_per_token: stats(rounds.map((x) => x.reference?.per_token_ms ?? NaN)),
      plain_ms_per_token: stats(rounds.map((x) => x.reference_plain?.per_token_ms ?? NaN)),
      fused_over_plain: r2(perRound((x) => tk(x, 'reference') / tk(x, 'reference_plain')), 3),
      same_tokens: rounds.every((x) => JSON.stringify(x.reference?.token_ids) === JSON.stringify(x.reference_plain?.token_ids)),
    },
    parity: {
      equal: mismatch < 0 && engineIds.length === refIds.length,
      first_mismatch: mismatch,
      engine_base_ids: engineIds,
      reference_ids: refIds,
    },
    memory: {
      per_model: perModel,
      one_worker: oneWorker,
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
    diagnostics,
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
