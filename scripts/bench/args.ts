/** `npm run bench -- [options]`: settings per backend, with --quick and explicit overrides. */
import { PRESETS, type Dtype } from '../../src/core/presets';

export type BenchBackend = 'wasm' | 'webgpu';

export interface BackendPlan {
  backend: BenchBackend;
  trio: string;
  /** The precision every model loads in; null: the app's own choice for the backend (presets.ts). */
  dtype: Dtype | null;
  /** Decode steps measured per run (each run generates tokens + 1: the first token comes from the prefill). */
  tokens: number;
  runs: number;
  /** Consecutive short generations for the heap-growth check. */
  growth: number;
  growthTokens: number;
  /** onnxruntime WASM threads per model worker; null: the engine's own schedule (src/core/schedule.ts). */
  threads: number | null;
  /** Threads of the naive single-thread placement (one worker holds all three models). */
  naiveThreads: number;
  /** G5: pairs of cold first-token runs (low and full resolution); 0 skips G5. */
  g5Runs: number;
}

export interface BenchOptions {
  plans: BackendPlan[];
  quick: boolean;
  out: string;
  chromium: string | null;
  verbose: boolean;
  question: string;
  /** The α sweep section (sweep.ts); rounds 0 skips it. */
  sweep: { trio: string; tokens: number; rounds: number };
  /** Run only the α sweep section. */
  onlySweep: boolean;
  /** The memory-estimate section (memory-plan.ts): prompt sizes in tokens; none skips it. */
  memory: { trio: string; prompts: number[] };
  /** Run only the memory-estimate section (merged into an existing results.json). */
  onlyMemory: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Measures the real engine in headless Chromium and writes bench/results.json and bench/chart.svg.

  --backend wasm|webgpu|both   default both
  --quick                      fewer tokens and generations (a smoke run, not for the record)
  --tokens N                   decode steps per run (default wasm 32, webgpu 8; quick 12 / 4)
  --runs R                     measured runs per configuration (default 3)
  --growth G                   consecutive generations for the heap-growth check (default wasm 100, webgpu 20; quick 20 / 5)
  --wasm-trio ID               default bench
  --webgpu-trio ID             default tiny (the bench trio takes ~50 s per guided token on SwiftShader)
  --g5-runs N                  pairs of cold first-token runs at low/full resolution for G5 (default wasm 5, webgpu 3; quick 2)
  --wasm-dtype q4|q8|fp32      WASM precision (default: the app's choice on WASM, q8 where the models have it)
  --threads T                  WASM threads per model worker, stepping concurrently (default: the engine's own choice)
  --naive-threads T            WASM threads of the naive loop (default: all cores)
  --question TEXT              the prompt (default: "Describe the image.")
  --sweep-trio ID              α sweep section: time per item for k = 1, 3, 5 α values (default bench, WASM)
  --sweep-tokens N             tokens per output in the sweep section (default 16; quick 6)
  --sweep-rounds R             rounds of the sweep section (default 2; quick 1; 0 skips it)
  --only-sweep                 run only the sweep section
  --memory-trio ID             memory-estimate section: estimate vs measured heap per model (default bench, WASM)
  --memory-prompts A,B,C       its prompt sizes in tokens (default 1200,2800,5000; quick 600,1200; none skips it)
  --only-memory                run only the memory-estimate section, merged into an existing results.json
  --out DIR                    default bench/
  --chromium PATH              browser binary (default $CHROME_PATH, else /usr/bin/chromium)
  --verbose                    every run's figures on stderr`;

const WASM_DTYPES: readonly Dtype[] = ['q4', 'q8', 'fp32'];

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

function int(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < min)
    throw new BenchUsageError(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], cores: number): BenchOptions | 'help' {
  const v = new Map<string, string>();
  const bools = new Set(['quick', 'verbose', 'help', 'only-sweep', 'only-memory']);
  const known = new Set([
    'backend',
    'tokens',
    'runs',
    'growth',
    'wasm-trio',
    'webgpu-trio',
    'wasm-dtype',
    'threads',
    'naive-threads',
    'g5-runs',
    'sweep-trio',
    'sweep-tokens',
    'sweep-rounds',
    'memory-trio',
    'memory-prompts',
    'question',
    'out',
    'chromium',
  ]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-h' || a === '--help') return 'help';
    if (!a.startsWith('--')) throw new BenchUsageError(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (bools.has(name)) {
      v.set(name, 'true');
      continue;
    }
    if (!known.has(name)) throw new BenchUsageError(`unknown option '--${name}'`);
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new BenchUsageError(`--${name} needs a value`);
    v.set(name, value);
  }
  const quick = v.has('quick');
  const which = v.get('backend') ?? 'both';
  if (!['wasm', 'webgpu', 'both'].includes(which))
    throw new BenchUsageError(`--backend: expected wasm, webgpu or both, got '${which}'`);
  const backends: BenchBackend[] = which === 'both' ? ['wasm', 'webgpu'] : [which as BenchBackend];
  const trioOf = (b: BenchBackend) => {
    const id = v.get(`${b}-trio`) ?? (b === 'wasm' ? 'bench' : 'tiny');
    const p = PRESETS.find((x) => x.id === id);
    if (!p?.local) throw new BenchUsageError(`--${b}-trio: '${id}' is not a local preset`);
    return id;
  };
  const tokens = int('tokens', v.get('tokens'), 2);
  const runs = int('runs', v.get('runs'), 1);
  const growth = int('growth', v.get('growth'), 2);
  const g5Runs = int('g5-runs', v.get('g5-runs'), 0);
  const threads = int('threads', v.get('threads'), 1) ?? null;
  const naiveThreads = int('naive-threads', v.get('naive-threads'), 1) ?? Math.max(1, cores);
  const wasmDtype = v.get('wasm-dtype');
  if (wasmDtype !== undefined && !WASM_DTYPES.some((d) => d === wasmDtype))
    throw new BenchUsageError(`--wasm-dtype: expected ${WASM_DTYPES.join(', ')}, got '${wasmDtype}'`);
  const plans = backends.map<BackendPlan>((b) => ({
    backend: b,
    trio: trioOf(b),
    dtype: b === 'webgpu' ? (trioOf(b) === 'tiny' ? 'q4' : null) : (WASM_DTYPES.find((d) => d === wasmDtype) ?? null),
    tokens: tokens ?? (b === 'wasm' ? (quick ? 12 : 32) : quick ? 4 : 8),
    runs: runs ?? 3,
    growth: growth ?? (b === 'wasm' ? (quick ? 20 : 100) : quick ? 5 : 20),
    growthTokens: 4,
    threads,
    naiveThreads,
    g5Runs: g5Runs ?? (quick ? 2 : b === 'wasm' ? 5 : 3),
  }));
  return {
    plans,
    quick,
    out: v.get('out') ?? 'bench',
    chromium: v.get('chromium') ?? null,
    verbose: v.has('verbose'),
    question: v.get('question') ?? 'Describe the image.',
    sweep: {
      trio: localPreset('sweep-trio', v.get('sweep-trio') ?? 'bench'),
      tokens: int('sweep-tokens', v.get('sweep-tokens'), 2) ?? (quick ? 6 : 16),
      rounds: int('sweep-rounds', v.get('sweep-rounds'), 0) ?? (quick ? 1 : 2),
    },
    onlySweep: v.has('only-sweep'),
    memory: { trio: localPreset('memory-trio', v.get('memory-trio') ?? 'bench'), prompts: memoryPrompts(v.get('memory-prompts'), quick) },
    onlyMemory: v.has('only-memory'),
  };
}

function localPreset(option: string, id: string): string {
  if (!PRESETS.find((x) => x.id === id)?.local) throw new BenchUsageError(`--${option}: '${id}' is not a local preset`);
  return id;
}

function memoryPrompts(raw: string | undefined, quick: boolean): number[] {
  if (raw === undefined) return quick ? [600, 1200] : [1200, 2800, 5000];
  if (raw === 'none') return [];
  return raw.split(',').map((x) => int('memory-prompts', x.trim(), 16) ?? 0);
}
