/**
 * The decoding settings and the question draft as kept across reloads, and how a stored copy is read
 * back. Stored values are untrusted (an older page, a hand edit): each field is checked on its own
 * and falls back to its default, so one bad field never loses the others and never crashes the page.
 */
import { RUN_MODES } from '../core/history';
import { LOCAL_DTYPES, PRESETS } from '../core/presets';
import type { BackendChoice } from '../core/protocol';
import { parseResolution } from '../core/runVision';
import { ALPHA_MAX, ALPHA_MIN, PLACEMENT_SETTINGS, type Settings } from './store';

export const SETTINGS_STORAGE_KEY = 'proxythinker-web:settings';
const VERSION = 1;
/** Longer "numbers as typed" are not something a user typed into those boxes. */
const MAX_TYPED_LENGTH = 40;

export interface PersistedSettings {
  settings: Settings;
  /** The question as typed, kept as a draft. */
  question: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm'];
const TRIO_SOURCES: readonly Settings['trioSource'][] = ['preset', 'custom'];
const DECODINGS: readonly Settings['decoding'][] = ['greedy', 'sample'];

function oneOf<T>(choices: readonly T[], v: unknown): T | undefined {
  return choices.find((c) => c === v);
}

function typed(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= MAX_TYPED_LENGTH ? v : undefined;
}

function alphaOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= ALPHA_MIN && v <= ALPHA_MAX ? v : undefined;
}

function readJson(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** Reads a stored copy (null: nothing stored); every missing or bad field takes its default. */
export function parsePersistedSettings(raw: string | null, defaults: PersistedSettings): PersistedSettings {
  const doc = readJson(raw);
  const d = isObj(doc) ? doc : {};
  const s = isObj(d.settings) ? d.settings : {};
  const def = defaults.settings;
  return {
    settings: {
      trioSource: oneOf(TRIO_SOURCES, s.trioSource) ?? def.trioSource,
      presetId: PRESETS.find((p) => p.id === s.presetId)?.id ?? def.presetId,
      dtype: oneOf(LOCAL_DTYPES, s.dtype) ?? def.dtype,
      backend: oneOf(BACKENDS, s.backend) ?? def.backend,
      placement: oneOf(PLACEMENT_SETTINGS, s.placement) ?? def.placement,
      mode: oneOf(RUN_MODES, s.mode) ?? def.mode,
      alpha: alphaOf(s.alpha) ?? def.alpha,
      decoding: oneOf(DECODINGS, s.decoding) ?? def.decoding,
      temperature: typed(s.temperature) ?? def.temperature,
      topK: typed(s.topK) ?? def.topK,
      topP: typed(s.topP) ?? def.topP,
      seed: typed(s.seed) ?? def.seed,
      maxNewTokens: typed(s.maxNewTokens) ?? def.maxNewTokens,
      resolution: parseResolution(s.resolution) ?? def.resolution,
    },
    question: typeof d.question === 'string' ? d.question : defaults.question,
  };
}

export function serializePersistedSettings(p: PersistedSettings): string {
  return JSON.stringify({ version: VERSION, settings: p.settings, question: p.question });
}
