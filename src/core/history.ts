/**
 * A finished run as the history keeps it, the check applied to whatever storage hands back, and
 * the two export formats (JSON with every token, Markdown for reading).
 */
import type { ModelRole } from './presets';
import type { Resolution, RunMode, StreamName } from './protocol';
import type { AlphaChange, TokenRecord } from './runRecord';
import { parseResolution, parseRunVision, RESOLUTION_LABELS, type RunVision } from './runVision';
import type { SamplingParams } from './sampling';
import type { StopReason } from './stopping';

/** 2: settings.resolution and the run's vision record (entries of version 1 read as full resolution). */
export const HISTORY_VERSION = 2;

export interface HistoryOutput {
  text: string;
  reason: StopReason | null;
  error: { name: string; message: string } | null;
  tokenCount: number;
  ttftMs: number | null;
  tokensPerSecond: number | null;
}

export interface HistorySettings {
  presetId: string;
  trioLabel: string;
  models: Partial<Record<ModelRole, string>>;
  backend: string;
  dtype: string;
  mode: RunMode;
  alpha: number;
  sampling: SamplingParams;
  maxNewTokens: number;
  resolution: Resolution;
}

export interface HistoryImage {
  name: string;
  width: number;
  height: number;
  /** A small data: URL (never a remote address). */
  thumbnail: string;
}

export interface HistoryEntry {
  version: number;
  id: string;
  /** Epoch milliseconds. */
  createdAt: number;
  question: string;
  image: HistoryImage | null;
  settings: HistorySettings;
  alphaChanges: AlphaChange[];
  outputs: Partial<Record<StreamName, HistoryOutput>>;
  prefillMs: number | null;
  prefillReused: boolean | null;
  totalMs: number | null;
  /** Image sizes, visual tokens per model and the escalation; null for runs saved before version 2. */
  vision: RunVision | null;
}

/** Tokens are stored apart from the entry so the history list never reads them. */
export type HistoryTokens = Partial<Record<StreamName, TokenRecord[]>>;

export const STREAM_ORDER: readonly StreamName[] = ['base', 'guided', 'expert'];
/** Every run mode, in the order the page lists them. */
export const RUN_MODES: readonly RunMode[] = ['side-by-side', 'guided', 'base', 'expert', 'base+expert'];
const STOP_REASONS: readonly StopReason[] = ['eos', 'max_tokens', 'stop_string', 'cancelled', 'error'];
const DATA_IMAGE = /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]+=*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function parseOutput(v: unknown): HistoryOutput | null {
  if (!isObj(v) || typeof v.text !== 'string') return null;
  const reason = STOP_REASONS.find((r) => r === v.reason) ?? null;
  const error = isObj(v.error) ? { name: str(v.error.name, 'Error'), message: str(v.error.message) } : null;
  return {
    text: v.text,
    reason,
    error,
    tokenCount: num(v.tokenCount, 0),
    ttftMs: numOrNull(v.ttftMs),
    tokensPerSecond: numOrNull(v.tokensPerSecond),
  };
}

function parseImage(v: unknown): HistoryImage | null {
  if (!isObj(v) || typeof v.thumbnail !== 'string' || !DATA_IMAGE.test(v.thumbnail)) return null;
  return {
    name: str(v.name, 'image'),
    width: num(v.width, 0),
    height: num(v.height, 0),
    thumbnail: v.thumbnail,
  };
}

function parseSettings(v: unknown): HistorySettings {
  const s = isObj(v) ? v : {};
  const sampling = isObj(s.sampling) ? s.sampling : {};
  const models: Partial<Record<ModelRole, string>> = {};
  if (isObj(s.models))
    for (const r of ['base', 'expert', 'amateur'] as const)
      if (typeof s.models[r] === 'string') models[r] = s.models[r];
  return {
    presetId: str(s.presetId),
    trioLabel: str(s.trioLabel),
    models,
    backend: str(s.backend),
    dtype: str(s.dtype),
    mode: RUN_MODES.find((m) => m === s.mode) ?? 'side-by-side',
    alpha: num(s.alpha, 0.5),
    sampling: {
      temperature: num(sampling.temperature, 0),
      topK: num(sampling.topK, 0),
      topP: num(sampling.topP, 1),
      seed: num(sampling.seed, 0),
    },
    maxNewTokens: num(s.maxNewTokens, 0),
    // Runs saved before the setting existed ran at full resolution.
    resolution: parseResolution(s.resolution) ?? 'full',
  };
}

/**
 * A history entry from untrusted storage (or an older version), or null when it is not one.
 * Unknown stream names and malformed outputs are dropped; a thumbnail must be a data: image URL.
 */
export function parseHistoryEntry(v: unknown): HistoryEntry | null {
  if (!isObj(v) || typeof v.id !== 'string' || !v.id) return null;
  const outputs: Partial<Record<StreamName, HistoryOutput>> = {};
  if (isObj(v.outputs)) {
    for (const name of STREAM_ORDER) {
      const o = parseOutput(v.outputs[name]);
      if (o) outputs[name] = o;
    }
  }
  if (Object.keys(outputs).length === 0) return null;
  const alphaChanges = Array.isArray(v.alphaChanges)
    ? v.alphaChanges.filter(isObj).map((c) => ({ fromIndex: num(c.fromIndex, 0), alpha: num(c.alpha, 0) }))
    : [];
  return {
    version: num(v.version, HISTORY_VERSION),
    id: v.id,
    createdAt: num(v.createdAt, 0),
    question: str(v.question),
    image: parseImage(v.image),
    settings: parseSettings(v.settings),
    alphaChanges,
    outputs,
    prefillMs: numOrNull(v.prefillMs),
    prefillReused: typeof v.prefillReused === 'boolean' ? v.prefillReused : null,
    totalMs: numOrNull(v.totalMs),
    vision: parseRunVision(v.vision),
  };
}

/** Stored tokens, or an empty record when they are missing or malformed. */
export function parseHistoryTokens(v: unknown): HistoryTokens {
  const out: HistoryTokens = {};
  if (!isObj(v)) return out;
  for (const name of STREAM_ORDER) {
    const list = v[name];
    if (!Array.isArray(list)) continue;
    out[name] = list.filter(
      (t): t is TokenRecord =>
        isObj(t) &&
        typeof t.index === 'number' &&
        typeof t.id === 'number' &&
        typeof t.text === 'string' &&
        typeof t.alpha === 'number',
    );
  }
  return out;
}

export const STREAM_TITLES: Readonly<Record<StreamName, string>> = {
  base: 'Base',
  guided: 'Guided',
  expert: 'Expert',
};

export const MODE_LABELS: Readonly<Record<RunMode, string>> = {
  'side-by-side': 'Side by side (base | guided)',
  guided: 'Guided: base + α·(expert − amateur)',
  base: 'Base only',
  expert: 'Expert only',
  'base+expert': 'Base + α·expert',
};

/** The title of a stream's pane, which depends on the mode for the 'guided' stream. */
export function streamTitle(stream: StreamName, mode: RunMode): string {
  if (stream === 'guided' && mode === 'base+expert') return 'Base + α·expert';
  return STREAM_TITLES[stream];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function describeSampling(s: SamplingParams): string {
  if (s.temperature === 0) return 'greedy';
  return `temperature ${s.temperature}, top-k ${s.topK || 'off'}, top-p ${s.topP}, seed ${s.seed}`;
}

function describeVision(v: RunVision | null): string {
  if (!v?.image) return '';
  const tokens = Object.entries(v.visualTokens)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const esc = v.escalation;
  const at = esc
    ? `; full image ${esc.image.full.join('×')} asked for at ${esc.stream} token ${esc.atIndex} (${Object.entries(
        esc.visualTokens,
      )
        .map(([r, t]) => `${r} ${t.full}`)
        .join(', ')} visual tokens)`
    : '';
  return ` (image ${v.image.join('×')}, visual tokens ${tokens}${at})`;
}

/** A fence longer than any backtick run inside the text, so output shows verbatim. */
function fence(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** One run as Markdown: question, settings, then each output verbatim in a fenced block. */
export function historyToMarkdown(entry: HistoryEntry): string {
  const s = entry.settings;
  const lines: string[] = [
    `# ProxyThinker run, ${iso(entry.createdAt)}`,
    '',
    '## Question',
    '',
    ...entry.question.split('\n').map((l) => `> ${l}`),
    '',
    '## Settings',
    '',
    '| Setting | Value |',
    '| --- | --- |',
    `| Trio | ${s.trioLabel || s.presetId} |`,
    `| Models | ${(['base', 'expert', 'amateur'] as const).map((r) => `${r}: ${s.models[r] ?? '?'}`).join(', ')} |`,
    `| Backend / dtype | ${s.backend} / ${s.dtype} |`,
    `| Mode | ${MODE_LABELS[s.mode]} |`,
    `| α | ${s.alpha}${entry.alphaChanges.length ? ` (changed: ${entry.alphaChanges.map((c) => `${c.alpha} from token ${c.fromIndex}`).join('; ')})` : ''} |`,
    `| Sampling | ${describeSampling(s.sampling)} |`,
    `| Max new tokens | ${s.maxNewTokens} |`,
    `| Resolution | ${RESOLUTION_LABELS[s.resolution]}${describeVision(entry.vision)} |`,
    ...(entry.image ? [`| Image | ${entry.image.name} (${entry.image.width}×${entry.image.height}) |`] : []),
    '',
  ];
  for (const name of STREAM_ORDER) {
    const o = entry.outputs[name];
    if (!o) continue;
    const f = fence(o.text);
    lines.push(`## ${streamTitle(name, s.mode)} output`, '');
    const facts = [`${o.tokenCount} tokens`, `stop: ${o.reason ?? 'unknown'}`];
    if (o.tokensPerSecond !== null) facts.push(`${o.tokensPerSecond.toFixed(1)} tokens/s`);
    if (o.ttftMs !== null) facts.push(`first token after ${Math.round(o.ttftMs)} ms`);
    lines.push(`_${facts.join(' · ')}_`, '');
    if (o.error) lines.push(`**Error:** ${o.error.name}: ${o.error.message}`, '');
    lines.push(`${f}text`, o.text, f, '');
  }
  return lines.join('\n');
}

export interface HistoryExport {
  format: 'proxythinker-history';
  version: number;
  exportedAt: string;
  entries: (HistoryEntry & { tokens?: HistoryTokens })[];
}

export function historyToJson(
  entries: (HistoryEntry & { tokens?: HistoryTokens })[],
  now = Date.now(),
): string {
  const doc: HistoryExport = {
    format: 'proxythinker-history',
    version: HISTORY_VERSION,
    exportedAt: iso(now),
    entries,
  };
  return JSON.stringify(doc, null, 2);
}

/** e.g. proxythinker-2026-01-31T12-30-05.md */
export function exportFileName(createdAt: number, ext: 'json' | 'md'): string {
  return `proxythinker-${iso(createdAt).slice(0, 19).replace(/:/g, '-')}.${ext}`;
}

/** A history export that cannot be imported at all (not JSON, not our format). */
export class HistoryImportError extends Error {
  override name = 'HistoryImportError';
}

export interface HistoryImport {
  entries: (HistoryEntry & { tokens: HistoryTokens })[];
  /** Entries that were skipped, each with its position in the file and why. */
  problems: string[];
}

/**
 * A history export (historyToJson) read back: every entry is checked as if it came from storage
 * (parseHistoryEntry: unknown fields dropped, a thumbnail must be a data: image). Bad entries are
 * listed, not fatal; a file that is not an export throws HistoryImportError naming the file.
 */
export function parseHistoryImport(text: string, fileName: string): HistoryImport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new HistoryImportError(
      `"${fileName}" is not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (!isObj(doc) || doc.format !== 'proxythinker-history' || !Array.isArray(doc.entries)) {
    throw new HistoryImportError(
      `"${fileName}" is not a ProxyThinker history export (expected "format": "proxythinker-history" and an "entries" list)`,
    );
  }
  const out: HistoryImport = { entries: [], problems: [] };
  doc.entries.forEach((raw: unknown, i: number) => {
    const entry = parseHistoryEntry(raw);
    if (!entry) {
      out.problems.push(`entry ${i + 1}: not a saved run (it needs an id and at least one output with text)`);
      return;
    }
    out.entries.push({ ...entry, tokens: parseHistoryTokens(isObj(raw) ? raw.tokens : undefined) });
  });
  return out;
}
