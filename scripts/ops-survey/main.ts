/**
 * `npm run ops-survey`: which onnxruntime fused/contrib ops run, how exactly and how fast, on
 * onnxruntime-node (CPU EP) and onnxruntime-web (WASM and WebGPU EPs in headless Chromium). Each case is a
 * tiny graph of the op beside the same computation in plain ONNX ops; see docs/onnx-ops.md.
 * Writes bench/ops-survey.json and bench/ops-survey.md. Rerun after an onnxruntime upgrade.
 *
 *   npm run ops-survey -- [--backends node,wasm,webgpu] [--groups matmul,attention] [--only REGEX]
 *                         [--threads N] [--port N] [--quick] [--out FILE.json] [--update]
 *
 * --update merges the cases run into an existing results file (e.g. after fixing one group).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCases, CASE_GROUPS } from './cases/index';
import { renderMarkdown } from './report';
import { BACKENDS, type Backend } from './results';
import { DEFAULT_TIMING, type Timing } from './run-graph';
import { runSurvey, type SurveyMeta, type SurveyRecord } from './survey';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliOptions {
  backends: Backend[];
  groups: string[];
  only: RegExp | null;
  threads: number;
  port: number;
  timing: Timing;
  out: string;
  /** Merge into the existing results file (records replaced by id) instead of starting afresh. */
  update: boolean;
}

export function parseArgs(argv: string[], env: Record<string, string | undefined> = {}): CliOptions {
  const opts: CliOptions = {
    backends: [...BACKENDS],
    groups: Object.keys(CASE_GROUPS),
    only: null,
    threads: 1,
    port: Number(env.E2E_PORT || 4273),
    timing: { ...DEFAULT_TIMING },
    out: join(ROOT, 'bench/ops-survey.json'),
    update: false,
  };
  const list = (v: string): string[] =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (min: number): number => {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min)
        throw new Error(`${flag}: expected an integer ≥ ${min}, got "${raw}"`);
      return n;
    };
    switch (flag) {
      case '--backends': {
        const b = list(value());
        const bad = b.filter((x) => !(BACKENDS as string[]).includes(x));
        if (bad.length || !b.length)
          throw new Error(
            `--backends: unknown ${bad.join(', ') || '(empty)'} (choose from ${BACKENDS.join(', ')})`,
          );
        opts.backends = BACKENDS.filter((x) => b.includes(x));
        break;
      }
      case '--groups': {
        const g = list(value());
        const bad = g.filter((x) => !(x in CASE_GROUPS));
        if (bad.length || !g.length)
          throw new Error(
            `--groups: unknown ${bad.join(', ') || '(empty)'} (choose from ${Object.keys(CASE_GROUPS).join(', ')})`,
          );
        opts.groups = g;
        break;
      }
      case '--only':
        opts.only = new RegExp(value());
        break;
      case '--threads':
        opts.threads = int(1);
        break;
      case '--port':
        opts.port = int(1);
        break;
      case '--quick':
        opts.timing = { warmup: 1, minRuns: 2, maxRuns: 5, budgetMs: 150 };
        break;
      case '--out':
        opts.out = value();
        break;
      case '--update':
        opts.update = true;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return opts;
}

function isMeta(x: unknown): x is SurveyMeta {
  return (
    !!x &&
    typeof x === 'object' &&
    'date' in x &&
    typeof x.date === 'string' &&
    'backends' in x &&
    Array.isArray(x.backends)
  );
}

/** Records and run descriptions of an earlier results file (for --update); a missing file is an empty one. */
function readPrevious(path: string): { records: SurveyRecord[]; runs: SurveyMeta[] } {
  if (!existsSync(path)) return { records: [], runs: [] };
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || !('records' in parsed) || !Array.isArray(parsed.records))
    throw new Error(`${path}: not an ops-survey results file (no "records" array)`);
  const records: SurveyRecord[] = parsed.records;
  const earlier: SurveyMeta[] =
    'earlierRuns' in parsed && Array.isArray(parsed.earlierRuns) ? parsed.earlierRuns.filter(isMeta) : [];
  const last: SurveyMeta[] = 'meta' in parsed && isMeta(parsed.meta) ? [parsed.meta] : [];
  return { records, runs: [...earlier, ...last] };
}

/**
 * `previous` updated by `fresh`: a case run again takes the fresh description and the fresh result of each
 * backend it ran on, keeping the other backends' earlier results; new cases are appended.
 */
export function mergeRecords(previous: SurveyRecord[], fresh: SurveyRecord[]): SurveyRecord[] {
  const byId = new Map(fresh.map((r) => [r.id, r]));
  const merged = previous.map((r) => {
    const f = byId.get(r.id);
    return f ? { ...f, backends: { ...r.backends, ...f.backends } } : r;
  });
  const known = new Set(previous.map((r) => r.id));
  return [...merged, ...fresh.filter((r) => !known.has(r.id))];
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2), process.env);
  const say = (line: string): void => {
    process.stderr.write(`[ops-survey] ${line}\n`);
  };
  const cases = allCases(opts.groups).filter((c) => !opts.only || opts.only.test(c.id));
  if (!cases.length) throw new Error('no case matches');
  say(`${cases.length} cases on ${opts.backends.join(', ')} (${opts.threads} thread(s), port ${opts.port})`);
  const mdPath = opts.out.replace(/\.json$/, '') + '.md';
  mkdirSync(dirname(opts.out), { recursive: true });
  const previous = opts.update ? readPrevious(opts.out) : { records: [], runs: [] };
  const write = (records: SurveyRecord[], meta: SurveyMeta): void => {
    const all = mergeRecords(previous.records, records);
    // The latest run's description, and those of the runs whose results were merged in.
    writeFileSync(
      opts.out,
      `${JSON.stringify({ meta, earlierRuns: previous.runs, records: all }, null, 1)}\n`,
    );
    writeFileSync(mdPath, renderMarkdown([...previous.runs, meta], all));
  };
  const { meta, records } = await runSurvey(cases, {
    backends: opts.backends,
    threads: opts.threads,
    timing: opts.timing,
    port: opts.port,
    scratch: join(ROOT, 'bench/out/ops-survey'),
    root: ROOT,
    caseTimeoutMs: 300_000,
    log: say,
    onRecord: write,
  });
  write(records, meta);
  say(`wrote ${opts.out} and ${mdPath}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`ops-survey: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
