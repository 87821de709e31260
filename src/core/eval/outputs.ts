/**
 * One item's run: the engine request for the chosen modes (base-only and/or guided at each α, as one
 * α sweep), the engine's events folded into one output per mode and α, and those outputs scored
 * into the item's record. Pure: the page and the CLI (through the page) share it.
 */
import { validateSweep } from '../plan';
import type { Resolution, RunEvent, RunRequest } from '../protocol';
import { GREEDY, type SamplingParams } from '../sampling';
import { scoreText } from './compare';
import { buildPrompt } from './prompt';
import type { EvalItem, EvalMode, ItemRecord, StreamScore } from './types';

export interface EvalSettings {
  /** Decode the base model alone too. */
  base: boolean;
  /** Guided α values, decoded together as one sweep (may be empty when `base` is set). */
  alphas: number[];
  maxNewTokens: number;
  resolution: Resolution;
  sampling?: SamplingParams;
  system?: string;
}

/** Checks the settings; the error names the field. */
export function validateEvalSettings(s: EvalSettings): EvalSettings {
  if (!s.base && s.alphas.length === 0)
    throw new RangeError('modes: choose the base model and/or at least one α');
  if (s.alphas.length) validateSweep(s.alphas);
  if (!Number.isInteger(s.maxNewTokens) || s.maxNewTokens < 1 || s.maxNewTokens > 4096)
    throw new RangeError(`max new tokens must be an integer from 1 to 4096, got ${s.maxNewTokens}`);
  return s;
}

/** "0, 0.25, 0.5" → [0, 0.25, 0.5]; the message names what is wrong. */
export function parseAlphaList(raw: string): number[] {
  const parts = raw
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const out = parts.map((p) => {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(p)) throw new RangeError(`α values: '${p}' is not a number`);
    return Number(p);
  });
  return out.length ? validateSweep(out) : [];
}

/** The engine request of one item: one sweep (side-by-side with the base-only stream), or a base run. */
export function itemRequest(item: EvalItem, s: EvalSettings): Omit<RunRequest, 'image'> {
  const common = {
    sampling: s.sampling ?? GREEDY,
    maxNewTokens: s.maxNewTokens,
    question: buildPrompt(item),
    resolution: s.resolution,
    ...(s.system ? { system: s.system } : {}),
  };
  if (s.alphas.length === 0) return { ...common, mode: 'base', alpha: 0 };
  return {
    ...common,
    mode: s.base ? 'side-by-side' : 'guided',
    alpha: s.alphas[0] ?? 0,
    alphas: [...s.alphas],
  };
}

export interface StreamOutput {
  mode: EvalMode;
  alpha: number | null;
  ids: number[];
  text: string;
  reason: string | null;
  error: { name: string; message: string } | null;
  /** From the request to this stream's last token (page clock). */
  ms: number | null;
}

/** Folds a run's events into one output per mode and α, in the order base, then α as requested. */
export class OutputCollector {
  private readonly outputs = new Map<string, StreamOutput>();
  private runError: { name: string; message: string } | null = null;

  constructor(
    private readonly settings: EvalSettings,
    private readonly startedAt: number,
  ) {
    if (settings.base) this.outputs.set('base', blank('base', null));
    settings.alphas.forEach((a, i) => this.outputs.set(`s${i}`, blank('guided', a)));
  }

  private out(e: { stream: string; sweep?: number }): StreamOutput | undefined {
    return this.outputs.get(e.sweep === undefined ? e.stream : `s${e.sweep}`);
  }

  push(e: RunEvent, at: number): void {
    if (e.type === 'token') {
      const o = this.out(e);
      if (!o) return;
      o.ids.push(e.id);
      o.text += e.delta;
      o.ms = at - this.startedAt;
    } else if (e.type === 'stream-done') {
      const o = this.out(e);
      if (o) [o.text, o.reason] = [e.text, e.reason];
    } else if (e.type === 'error') {
      const err = { name: e.error.name, message: e.error.message };
      const o = e.stream
        ? this.out({ stream: e.stream, ...(e.sweep !== undefined ? { sweep: e.sweep } : {}) })
        : undefined;
      if (o) o.error = err;
      else this.runError = err;
    }
  }

  /** Whether the run was stopped (a stream ended 'cancelled'): the item is then not done. */
  get cancelled(): boolean {
    return [...this.outputs.values()].some((o) => o.reason === 'cancelled');
  }

  get error(): { name: string; message: string } | null {
    return this.runError;
  }

  list(): StreamOutput[] {
    return [...this.outputs.values()];
  }
}

function blank(mode: EvalMode, alpha: number | null): StreamOutput {
  return { mode, alpha, ids: [], text: '', reason: null, error: null, ms: null };
}

/** The item's record: every output scored against the item's answer. */
export function scoreItem(
  item: EvalItem,
  outputs: readonly StreamOutput[],
  ms: number | null,
  keepIds = true,
): ItemRecord {
  const results: StreamScore[] = outputs.map((o) => {
    const s = scoreText(item, o.text);
    return {
      mode: o.mode,
      alpha: o.alpha,
      text: o.text,
      extracted: s.extracted,
      method: s.method,
      // An output that ended with an error is wrong, whatever its partial text says.
      correct: s.correct && !o.error,
      tokens: o.ids.length,
      ms: o.ms === null ? null : Math.round(o.ms * 10) / 10,
      reason: o.reason,
      error: o.error,
      ...(keepIds ? { token_ids: o.ids } : {}),
    };
  });
  return {
    id: item.id,
    line: item.line,
    question: item.question,
    answer: item.answer,
    answer_type: item.answer_type,
    results,
    ms: ms === null ? null : Math.round(ms * 10) / 10,
    ...(Object.keys(item.extra).length ? { extra: item.extra } : {}),
  };
}
