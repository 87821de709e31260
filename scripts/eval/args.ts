/**
 * Command line of `npm run eval -- …`: run a set through the engine (default), re-score predictions
 * (`score`), or convert a benchmark's file to our JSONL (`import`). Pure: every usage error is testable.
 */
import { parseAlphaList } from '../../src/core/eval/outputs';
import { LOCAL_DTYPES, type LocalDtype } from '../../src/core/presets';
import type { Resolution } from '../../src/core/protocol';
import { RESOLUTIONS } from '../../src/core/runVision';
import {
  BACKENDS,
  integer,
  oneOf,
  parseTrio,
  readFlags,
  toNumber,
  UsageError,
  type CliBackend,
  type Kind,
} from '../cli/args';

export interface EvalRunOptions {
  command: 'run';
  data: string;
  trio: string | null;
  dirs: { base: string; expert: string; amateur: string } | null;
  /** Guided α values (one sweep). */
  alphas: number[];
  /** Decode the base model alone too. */
  base: boolean;
  limit: number | null;
  resolution: Resolution;
  maxNewTokens: number;
  out: string;
  /** Start over: remove the results already in --out. */
  fresh: boolean;
  backend: CliBackend;
  dtype: LocalDtype | null;
  threads: number | null;
  chromium: string | null;
  build: 'auto' | 'always' | 'never';
  /** Per item, in seconds. */
  itemTimeoutSec: number;
  verbose: boolean;
}

export interface EvalScoreOptions {
  command: 'score';
  data: string;
  predictions: string;
  out: string | null;
  json: boolean;
}

export interface EvalImportOptions {
  command: 'import';
  data: string;
  out: string;
}

export type EvalCommand = EvalRunOptions | EvalScoreOptions | EvalImportOptions | { command: 'help' };

export const EVAL_USAGE = `Usage:
  npm run eval -- --data SET.jsonl --trio ID [options]           run a set, base and guided at each α
  npm run eval -- score --data SET.jsonl --predictions P.jsonl   score saved outputs, no models
  npm run eval -- import --data FILE --out SET.jsonl             convert a benchmark file to our JSONL

Sets: our JSONL (docs/eval.md), or MathVista testmini, MathVerse, MathVision, MMStar-style JSON/JSONL
as published (recognised by their fields). Bad rows are reported with their line and skipped.

Run:
  --data FILE               the set (images relative to it)
  --trio ID | --base DIR --expert DIR --amateur DIR
  --alphas LIST             guided α values, decoded together in one batched sweep (default 0.5; max 8)
  --no-base                 skip the base-only output
  --limit N                 the first N valid items
  --resolution R            ${RESOLUTIONS.join(' | ')} (default full)
  --max-new-tokens N        per output (default 512)
  --out DIR                 results folder (default eval-results/); a rerun resumes it
  --fresh                   start over in --out instead of resuming
  --backend B               ${BACKENDS.join(' | ')} (default wasm)
  --dtype D                 ${LOCAL_DTYPES.join(' | ')} (default: the preset's)
  --threads N               WASM threads per model worker
  --item-timeout SEC        give up on an item after SEC seconds (default 900)
  --chromium PATH, --build auto|always|never, --verbose
Score:
  --predictions FILE        JSONL of {"id", "text"} (optional "mode", "alpha"), or a run's items.jsonl
  --out DIR                 also write scored.jsonl, summary.json, summary.md, accuracy.svg, items.csv
  --json                    print the summary JSON instead of the table
Import:
  --out FILE                where the converted JSONL goes (image paths are rewritten relative to it)

Writes to --out: items.jsonl (one line per finished item, appended as it goes), errors.jsonl,
summary.json, summary.md, accuracy.svg, items.csv. Exit: 0 ok, 1 failure, 2 usage, 3 bad input, 130 interrupted.`;

const FLAGS: Record<string, Kind> = {
  data: 'string',
  trio: 'string',
  base: 'string',
  expert: 'string',
  amateur: 'string',
  alphas: 'string',
  'no-base': 'bool',
  limit: 'number',
  resolution: 'string',
  'max-new-tokens': 'number',
  out: 'string',
  fresh: 'bool',
  backend: 'string',
  dtype: 'string',
  threads: 'number',
  chromium: 'string',
  build: 'string',
  'item-timeout': 'number',
  predictions: 'string',
  json: 'bool',
  verbose: 'bool',
  help: 'bool',
};

const ONLY: Record<'run' | 'score' | 'import', readonly string[]> = {
  run: [
    'data',
    'trio',
    'base',
    'expert',
    'amateur',
    'alphas',
    'no-base',
    'limit',
    'resolution',
    'max-new-tokens',
    'out',
    'fresh',
    'backend',
    'dtype',
    'threads',
    'chromium',
    'build',
    'item-timeout',
    'verbose',
  ],
  score: ['data', 'predictions', 'out', 'json'],
  import: ['data', 'out'],
};

export function parseEvalArgs(argv: readonly string[]): EvalCommand {
  const { values, positional } = readFlags(argv, FLAGS);
  if (values.has('help')) return { command: 'help' };
  const [first, ...extra] = positional;
  const command = first === undefined ? 'run' : first;
  if (command !== 'run' && command !== 'score' && command !== 'import')
    throw new UsageError(`unknown command '${command}' (expected run, score or import)`);
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  for (const k of values.keys())
    if (!ONLY[command].includes(k)) throw new UsageError(`--${k} does not apply to '${command}'`);
  const str = (k: string): string | undefined => values.get(k)?.[0];
  const need = (k: string, what: string): string => {
    const v = str(k);
    if (v === undefined || v.trim() === '') throw new UsageError(`missing --${k} ${what}`);
    return v;
  };
  const data = need('data', 'FILE (the set)');
  if (command === 'score') {
    return {
      command,
      data,
      predictions: need('predictions', 'FILE'),
      out: str('out') ?? null,
      json: values.has('json'),
    };
  }
  if (command === 'import') return { command, data, out: need('out', 'FILE') };

  const { trio, dirs } = parseTrio(str);
  let alphas: number[];
  try {
    alphas = parseAlphaList(str('alphas') ?? '0.5');
  } catch (e) {
    throw new UsageError(`--alphas: ${e instanceof Error ? e.message : String(e)}`);
  }
  const base = !values.has('no-base');
  if (!base && alphas.length === 0) throw new UsageError('nothing to run: --no-base and no --alphas');
  const num = (k: string, fallback: number) => {
    const raw = str(k);
    return raw === undefined ? fallback : toNumber(k, raw);
  };
  const limitRaw = str('limit');
  const threadsRaw = str('threads');
  const dtypeRaw = str('dtype');
  const timeout = num('item-timeout', 900);
  if (!(timeout > 0 && Number.isFinite(timeout)))
    throw new UsageError(`--item-timeout must be a positive number of seconds, got ${str('item-timeout')}`);
  return {
    command: 'run',
    data,
    trio,
    dirs,
    alphas,
    base,
    limit: limitRaw === undefined ? null : integer('limit', toNumber('limit', limitRaw), 1, 10_000_000),
    resolution: oneOf('resolution', str('resolution') ?? 'full', RESOLUTIONS),
    maxNewTokens: integer('max-new-tokens', num('max-new-tokens', 512), 1, 4096),
    out: str('out') ?? 'eval-results',
    fresh: values.has('fresh'),
    backend: oneOf('backend', str('backend') ?? 'wasm', BACKENDS),
    dtype: dtypeRaw === undefined ? null : oneOf('dtype', dtypeRaw, LOCAL_DTYPES),
    threads: threadsRaw === undefined ? null : integer('threads', toNumber('threads', threadsRaw), 1, 64),
    chromium: str('chromium') ?? null,
    build: oneOf('build', str('build') ?? 'auto', ['auto', 'always', 'never'] as const),
    itemTimeoutSec: timeout,
    verbose: values.has('verbose'),
  };
}
