/**
 * An evaluation run as the page keeps it (IndexedDB): what set, which settings, the trio, and the
 * counts; its items are stored one record each. Whatever storage hands back is checked here before
 * the page uses it, and the JSON export is built here.
 */
import type { Resolution } from '../protocol';
import { RESOLUTIONS } from '../runVision';
import type { EvalSettings } from './outputs';
import { summarize, type Summary } from './summary';
import {
  ANSWER_TYPES,
  SET_FORMATS,
  type ItemRecord,
  type RowProblem,
  type SetFormat,
  type StreamScore,
} from './types';

export const EVAL_RUN_VERSION = 1;

/** Where a set came from: a URL (fetched again to resume), or a folder the user picked (picked again). */
export type SetOrigin = { kind: 'url'; url: string } | { kind: 'folder'; folder: string; file: string };

export interface EvalRunMeta {
  version: number;
  id: string;
  createdAt: number;
  updatedAt: number;
  set: {
    name: string;
    origin: SetOrigin;
    format: SetFormat;
    rows: number;
    problems: RowProblem[];
    /** The items this run covers, in set order. */
    itemIds: string[];
  };
  settings: EvalSettings;
  trio: { label: string; backend: string; models: Record<string, string> };
  done: number;
  failed: { id: string; error: { name: string; message: string } }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const wire = (v: unknown) => (isObj(v) ? { name: str(v.name, 'Error'), message: str(v.message) } : null);

function parseOrigin(v: unknown): SetOrigin | null {
  if (!isObj(v)) return null;
  if (v.kind === 'url' && typeof v.url === 'string') return { kind: 'url', url: v.url };
  if (v.kind === 'folder' && typeof v.folder === 'string' && typeof v.file === 'string')
    return { kind: 'folder', folder: v.folder, file: v.file };
  return null;
}

function parseSettings(v: unknown): EvalSettings | null {
  if (!isObj(v) || !Array.isArray(v.alphas)) return null;
  const alphas = v.alphas.filter((a): a is number => typeof a === 'number' && Number.isFinite(a));
  const resolution = RESOLUTIONS.find((r) => r === v.resolution) ?? ('full' as Resolution);
  return { base: v.base === true, alphas, maxNewTokens: num(v.maxNewTokens, 512), resolution };
}

/** A saved run from untrusted storage (or an older version), or null when it is not one. */
export function parseEvalRun(v: unknown): EvalRunMeta | null {
  if (!isObj(v) || typeof v.id !== 'string' || !v.id || !isObj(v.set)) return null;
  const set = v.set;
  const origin = parseOrigin(set.origin);
  const settings = parseSettings(v.settings);
  if (!origin || !settings) return null;
  const problems = Array.isArray(set.problems)
    ? set.problems
        .filter(isObj)
        .map((p) => ({
          line: num(p.line, 0),
          id: typeof p.id === 'string' ? p.id : null,
          field: typeof p.field === 'string' ? p.field : null,
          message: str(p.message),
        }))
    : [];
  const trio = isObj(v.trio) ? v.trio : {};
  const models: Record<string, string> = {};
  if (isObj(trio.models))
    for (const [k, m] of Object.entries(trio.models)) if (typeof m === 'string') models[k] = m;
  return {
    version: num(v.version, EVAL_RUN_VERSION),
    id: v.id,
    createdAt: num(v.createdAt, 0),
    updatedAt: num(v.updatedAt, 0),
    set: {
      name: str(set.name, 'set'),
      origin,
      format: SET_FORMATS.find((f) => f === set.format) ?? 'proxythinker',
      rows: num(set.rows, 0),
      problems,
      itemIds: Array.isArray(set.itemIds)
        ? set.itemIds.filter((x): x is string => typeof x === 'string')
        : [],
    },
    settings,
    trio: { label: str(trio.label), backend: str(trio.backend), models },
    done: num(v.done, 0),
    failed: Array.isArray(v.failed)
      ? v.failed.filter(isObj).flatMap((f) => {
          const e = wire(f.error);
          return typeof f.id === 'string' && e ? [{ id: f.id, error: e }] : [];
        })
      : [],
  };
}

function parseScore(v: unknown): StreamScore | null {
  if (!isObj(v) || typeof v.mode !== 'string' || typeof v.text !== 'string') return null;
  const ids = Array.isArray(v.token_ids)
    ? v.token_ids.filter((x): x is number => Number.isInteger(x))
    : undefined;
  return {
    mode: v.mode,
    alpha: typeof v.alpha === 'number' && Number.isFinite(v.alpha) ? v.alpha : null,
    text: v.text,
    extracted: typeof v.extracted === 'string' ? v.extracted : null,
    method: typeof v.method === 'string' ? (v.method as StreamScore['method']) : null,
    correct: v.correct === true,
    tokens: typeof v.tokens === 'number' ? v.tokens : null,
    ms: typeof v.ms === 'number' ? v.ms : null,
    reason: typeof v.reason === 'string' ? v.reason : null,
    error: wire(v.error),
    ...(ids ? { token_ids: ids } : {}),
  };
}

/** An item record from untrusted storage, or null. */
export function parseItemRecord(v: unknown): ItemRecord | null {
  if (!isObj(v) || typeof v.id !== 'string' || !Array.isArray(v.results)) return null;
  const results = v.results.map(parseScore).filter((s): s is StreamScore => s !== null);
  return {
    id: v.id,
    line: num(v.line, 0),
    question: str(v.question),
    answer: str(v.answer),
    answer_type: ANSWER_TYPES.find((t) => t === v.answer_type) ?? 'text',
    results,
    ms: typeof v.ms === 'number' ? v.ms : null,
    ...(isObj(v.extra) ? { extra: v.extra } : {}),
  };
}

/** The JSON export: the CLI's summary shape, plus every item. */
export function exportDocument(
  meta: EvalRunMeta,
  records: readonly ItemRecord[],
): { summary: Summary } & Record<string, unknown> {
  const done = records.length;
  return {
    schema: 'proxythinker-eval/summary@1',
    kind: 'run',
    source: 'page',
    complete: done === meta.set.itemIds.length,
    generated_at: new Date().toISOString(),
    data:
      meta.set.origin.kind === 'url'
        ? meta.set.origin.url
        : `${meta.set.origin.folder}/${meta.set.origin.file}`,
    format: meta.set.format,
    items: {
      rows: meta.set.rows,
      valid: meta.set.itemIds.length,
      skipped: meta.set.problems.length,
      selected: meta.set.itemIds.length,
      done,
      failed: meta.failed.length,
      pending: meta.set.itemIds.length - done,
    },
    skipped: meta.set.problems,
    trio: meta.trio,
    settings: {
      base: meta.settings.base,
      alphas: meta.settings.alphas,
      max_new_tokens: meta.settings.maxNewTokens,
      resolution: meta.settings.resolution,
      sampling: 'greedy',
    },
    summary: summarize(records),
    records,
  };
}
