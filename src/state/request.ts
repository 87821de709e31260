/** Turning the settings as typed into a RunRequest, or a message saying what to fix. */
import { findPreset, MODEL_ROLES, type ModelRole } from '../core/presets';
import type { HistorySettings } from '../core/history';
import type { ImagePayload, RunRequest } from '../core/protocol';
import { GREEDY, validateSampling, type SamplingParams } from '../core/sampling';
import type { LoadedTrio, Settings } from './store';

export const MAX_NEW_TOKENS_LIMIT = 8192;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function field(label: string, raw: string): number {
  const t = raw.trim();
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n)) throw new Error(`${label} must be a number, got "${raw}"`);
  return n;
}

export function parseSampling(s: Settings): Parsed<SamplingParams> {
  if (s.decoding === 'greedy') return { ok: true, value: { ...GREEDY } };
  try {
    const value = validateSampling({
      temperature: field('Temperature', s.temperature),
      topK: field('Top-k', s.topK),
      topP: field('Top-p', s.topP),
      seed: field('Seed', s.seed),
    });
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: `Sampling: ${(e as Error).message}` };
  }
}

export function parseMaxNewTokens(raw: string): Parsed<number> {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_NEW_TOKENS_LIMIT) {
    return {
      ok: false,
      error: `Max new tokens must be a whole number from 1 to ${MAX_NEW_TOKENS_LIMIT}, got "${raw}"`,
    };
  }
  return { ok: true, value: n };
}

export function buildRequest(
  settings: Settings,
  question: string,
  image: ImagePayload | null,
  inspectTopK: number,
): Parsed<RunRequest> {
  if (!question.trim())
    return { ok: false, error: 'The question is empty: type what you want to ask about the image.' };
  const sampling = parseSampling(settings);
  if (!sampling.ok) return sampling;
  const max = parseMaxNewTokens(settings.maxNewTokens);
  if (!max.ok) return max;
  return {
    ok: true,
    value: {
      mode: settings.mode,
      alpha: settings.alpha,
      sampling: sampling.value,
      maxNewTokens: max.value,
      question,
      image,
      inspectTopK,
      resolution: settings.resolution,
    },
  };
}

/** The settings saved with a run in the history. */
export function historySettings(
  req: RunRequest,
  loaded: LoadedTrio | null,
  presetId: string,
): HistorySettings {
  const models: Partial<Record<ModelRole, string>> = {};
  for (const r of MODEL_ROLES) if (loaded?.models[r]) models[r] = loaded.models[r];
  let label = loaded?.label ?? '';
  if (!label) {
    try {
      label = findPreset(presetId).label;
    } catch {
      label = presetId;
    }
  }
  return {
    presetId: loaded?.presetId ?? presetId,
    trioLabel: label,
    models,
    backend: loaded?.backend ?? '',
    dtype: loaded?.dtype ?? '',
    mode: req.mode,
    alpha: req.alpha,
    sampling: req.sampling,
    maxNewTokens: req.maxNewTokens,
    resolution: req.resolution ?? 'full',
  };
}
