/**
 * Command-line parsing for `npm run cli -- generate …`: pure functions, no I/O, so every usage error
 * can be tested without a browser. Values are checked here; files and folders in inputs.ts.
 */
import { RUN_MODES } from '../../src/core/history';
import { LOCAL_DTYPES, PRESETS, type LocalDtype } from '../../src/core/presets';
import type { Resolution, RunMode } from '../../src/core/protocol';
import { RESOLUTIONS } from '../../src/core/runVision';

export const EXIT = Object.freeze({
  OK: 0,
  /** The engine, the build or the browser failed, or a stream ended with an error. */
  FAILURE: 1,
  /** The command line is wrong: unknown command or flag, a bad value, an unknown trio. */
  USAGE: 2,
  /** An input file or folder is missing, unreadable or of the wrong kind. */
  INPUT: 3,
});

export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = EXIT.USAGE;
}

export class InputError extends Error {
  override name = 'InputError';
  readonly exitCode = EXIT.INPUT;
}

export const BACKENDS = ['wasm', 'webgpu'] as const;
export type CliBackend = (typeof BACKENDS)[number];
export const PLACEMENTS = ['workers', 'one-worker', 'single-thread'] as const;

export interface GenerateOptions {
  command: 'generate';
  /** A local preset id, or null when the three folders are given. */
  trio: string | null;
  dirs: { base: string; expert: string; amateur: string } | null;
  image: string | null;
  question: string;
  system: string | null;
  mode: RunMode;
  /** VisionThink: full image, half size with one possible escalation, or half size only. */
  resolution: Resolution;
  alpha: number;
  maxNewTokens: number;
  backend: CliBackend;
  /** null = the preset's own precision (q4 for folders). */
  dtype: LocalDtype | null;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  stop: string[];
  json: boolean;
  threads: number | null;
  /** null: the engine's own choice (one worker on WASM with few cores, else a worker per model). */
  placement: (typeof PLACEMENTS)[number] | null;
  timeoutSec: number;
  chromium: string | null;
  build: 'auto' | 'always' | 'never';
  verbose: boolean;
}

export type ParsedCommand = GenerateOptions | { command: 'help' };

export const USAGE = `Usage: npm run cli -- generate [options]

Runs the ProxyThinker engine in headless Chromium and prints what it generated.

Models (one of):
  --trio ID                 a local preset: ${PRESETS.filter((p) => p.local)
    .map((p) => p.id)
    .join(', ')}
  --base DIR --expert DIR --amateur DIR
                            three model folders (transformers.js layout: config.json, tokenizer.json, onnx/…)
Input:
  --question TEXT           the question (required)
  --image FILE              PNG, JPEG, GIF, WebP or BMP (optional: text only without it)
  --system TEXT             a system prompt
  --resolution R            ${RESOLUTIONS.join(' | ')} (default full): smart starts from a half-size image and
                            gives the models VisionThink's resize_image tool; low never escalates
Decoding:
  --mode MODE               ${RUN_MODES.join(' | ')} (default guided)
  --alpha A                 guidance strength α, any finite number (default 0.5)
  --max-new-tokens N        1…4096 (default 64)
  --temperature T           ≥ 0; 0 = greedy (default 0)
  --top-k K                 integer ≥ 0; 0 = off (default 0)
  --top-p P                 0 < P ≤ 1; 1 = off (default 1)
  --seed S                  integer 0…4294967295 (default 0)
  --stop STR                stop string; repeat for several
Runtime:
  --backend B               ${BACKENDS.join(' | ')} (default wasm)
  --dtype D                 ${LOCAL_DTYPES.join(' | ')} (default: the preset's, q4 for folders)
  --threads N               onnxruntime WASM threads per model worker (default: the engine's schedule, docs/bench.md G4)
  --placement P             ${PLACEMENTS.join(' | ')} (default: the engine's choice, docs/bench.md)
  --timeout SEC             give up after SEC seconds (default 900)
  --chromium PATH           browser binary (default $CHROME_PATH, else /usr/bin/chromium)
  --build auto|always|never rebuild dist/ when stale (auto, default), always, or never
Output:
  --json                    one JSON object on stdout (schema: docs/cli.md)
  --verbose                 progress and browser console on stderr
  -h, --help                this text

Exit status: 0 ok, 1 engine/browser/build failure or a stream error, 2 usage error, 3 bad input file or folder.`;

export type Kind = 'string' | 'number' | 'bool' | 'list';
const FLAGS: Record<string, Kind> = {
  trio: 'string',
  base: 'string',
  expert: 'string',
  amateur: 'string',
  image: 'string',
  question: 'string',
  system: 'string',
  mode: 'string',
  resolution: 'string',
  alpha: 'number',
  'max-new-tokens': 'number',
  backend: 'string',
  dtype: 'string',
  temperature: 'number',
  'top-k': 'number',
  'top-p': 'number',
  seed: 'number',
  stop: 'list',
  json: 'bool',
  threads: 'number',
  placement: 'string',
  timeout: 'number',
  chromium: 'string',
  build: 'string',
  verbose: 'bool',
  help: 'bool',
};

/** A strict decimal number: no empty strings, hex, whitespace or trailing junk ("1e3" and "-0.5" are fine). */
export function toNumber(flag: string, raw: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()) || raw.trim() !== raw) {
    throw new UsageError(`--${flag}: '${raw}' is not a number`);
  }
  return Number(raw);
}

export function integer(flag: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${v}`);
  return v;
}

export function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${flag}: unknown value '${v}' (expected ${allowed.join(', ')})`);
  return v as T;
}

/** Flags (`--name value`, `--name=value`, booleans, repeatable lists) and positional arguments. */
export function readFlags(
  argv: readonly string[],
  flags: Record<string, Kind>,
): { values: Map<string, string[]>; positional: string[] } {
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h') {
      values.set('help', ['true']);
      continue;
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg))
        throw new UsageError(`unknown option '${arg}'`);
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = flags[name];
    if (!kind) throw new UsageError(`unknown option '--${name}' (see --help)`);
    let value: string;
    if (kind === 'bool') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      value = 'true';
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      // A following flag is not a value; a negative number is ("--alpha -0.5").
      if (next === undefined || (next.startsWith('--') && next.length > 2))
        throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    const list = values.get(name) ?? [];
    if (kind !== 'list' && list.length > 0) throw new UsageError(`--${name} given more than once`);
    values.set(name, [...list, value]);
  }
  return { values, positional };
}

/** --trio ID, or the three folders --base/--expert/--amateur (exactly one of the two). */
export function parseTrio(str: (k: string) => string | undefined): {
  trio: string | null;
  dirs: { base: string; expert: string; amateur: string } | null;
} {
  const trio = str('trio') ?? null;
  const base = str('base');
  const expert = str('expert');
  const amateur = str('amateur');
  const anyDir = base !== undefined || expert !== undefined || amateur !== undefined;
  let dirs: GenerateOptions['dirs'] = null;
  if (trio !== null && anyDir)
    throw new UsageError('give either --trio or --base/--expert/--amateur, not both');
  if (trio === null && !anyDir)
    throw new UsageError('missing models: give --trio ID or --base DIR --expert DIR --amateur DIR');
  if (anyDir) {
    const missing = (['base', 'expert', 'amateur'] as const).filter((r) => !str(r));
    if (missing.length > 0)
      throw new UsageError(
        `missing ${missing.map((m) => `--${m} DIR`).join(', ')} (all three folders are needed)`,
      );
    dirs = { base: base ?? '', expert: expert ?? '', amateur: amateur ?? '' };
  }
  if (trio !== null) {
    const preset = PRESETS.find((p) => p.id === trio);
    if (!preset)
      throw new UsageError(
        `unknown trio '${trio}' (local presets: ${PRESETS.filter((p) => p.local)
          .map((p) => p.id)
          .join(', ')})`,
      );
    if (!preset.local)
      throw new UsageError(
        `trio '${trio}' is not local (it names hub repositories); the CLI runs offline: pass its exported folders with --base/--expert/--amateur`,
      );
  }
  return { trio, dirs };
}

export function parseArgs(argv: readonly string[]): ParsedCommand {
  const { values, positional } = readFlags(argv, FLAGS);
  if (values.has('help')) return { command: 'help' };
  const [command, ...extra] = positional;
  if (command === undefined) throw new UsageError('missing command (expected: generate; see --help)');
  if (command !== 'generate') throw new UsageError(`unknown command '${command}' (expected: generate)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);

  const str = (k: string): string | undefined => values.get(k)?.[0];
  const num = (k: string, fallback: number): number => {
    const raw = str(k);
    return raw === undefined ? fallback : toNumber(k, raw);
  };

  const { trio, dirs } = parseTrio(str);

  const question = str('question');
  if (question === undefined || question.trim() === '')
    throw new UsageError('missing --question TEXT (it must not be empty)');
  const image = str('image') ?? null;
  if (image === '') throw new UsageError('--image: empty path');

  const alpha = num('alpha', 0.5);
  if (!Number.isFinite(alpha)) throw new UsageError(`--alpha must be a finite number, got ${str('alpha')}`);
  const temperature = num('temperature', 0);
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new UsageError(`--temperature must be a finite number ≥ 0, got ${str('temperature')}`);
  const topP = num('top-p', 1);
  if (!(topP > 0 && topP <= 1)) throw new UsageError(`--top-p must be in (0, 1], got ${str('top-p')}`);
  const stop = values.get('stop') ?? [];
  if (stop.some((s) => s === '')) throw new UsageError('--stop: a stop string must not be empty');
  const threadsRaw = str('threads');
  const timeout = num('timeout', 900);
  if (!(timeout > 0 && Number.isFinite(timeout)))
    throw new UsageError(`--timeout must be a positive number of seconds, got ${str('timeout')}`);
  const dtypeRaw = str('dtype');

  return {
    command: 'generate',
    trio,
    dirs,
    image,
    question,
    system: str('system') ?? null,
    mode: oneOf('mode', str('mode') ?? 'guided', RUN_MODES),
    resolution: oneOf('resolution', str('resolution') ?? 'full', RESOLUTIONS),
    alpha,
    maxNewTokens: integer('max-new-tokens', num('max-new-tokens', 64), 1, 4096),
    backend: oneOf('backend', str('backend') ?? 'wasm', BACKENDS),
    dtype: dtypeRaw === undefined ? null : oneOf('dtype', dtypeRaw, LOCAL_DTYPES),
    temperature,
    topK: integer('top-k', num('top-k', 0), 0, 1_000_000),
    topP,
    seed: integer('seed', num('seed', 0), 0, 0xffffffff),
    stop,
    json: values.has('json'),
    threads: threadsRaw === undefined ? null : integer('threads', toNumber('threads', threadsRaw), 1, 64),
    placement: str('placement') === undefined ? null : oneOf('placement', str('placement') ?? '', PLACEMENTS),
    timeoutSec: timeout,
    chromium: str('chromium') ?? null,
    build: oneOf('build', str('build') ?? 'auto', ['auto', 'always', 'never'] as const),
    verbose: values.has('verbose'),
  };
}
