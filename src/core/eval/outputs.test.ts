/** One item's request, the folding of its events into outputs per mode and α, and its record. */
import { describe, expect, it } from 'vitest';
import { parseSet } from './dataset';
import {
  itemRequest,
  OutputCollector,
  parseAlphaList,
  scoreItem,
  validateEvalSettings,
  type EvalSettings,
} from './outputs';
import type { RunEvent } from '../protocol';

const [item] = parseSet(
  JSON.stringify({
    id: 'q',
    image: 'a.png',
    question: 'How many?',
    answer: '3',
    answer_type: 'integer',
    topic: 'counting',
  }),
).items;
if (!item) throw new Error('fixture');
const settings: EvalSettings = { base: true, alphas: [0.5, 1], maxNewTokens: 8, resolution: 'full' };

describe('evaluation requests', () => {
  it('base and α values become one sweep; base alone a base run; α alone a guided sweep', () => {
    expect(itemRequest(item, settings)).toMatchObject({
      mode: 'side-by-side',
      alphas: [0.5, 1],
      maxNewTokens: 8,
      sampling: { temperature: 0 },
    });
    expect(itemRequest(item, settings).question).toMatch(/^How many\?\nThink step by step/);
    expect(itemRequest(item, { ...settings, alphas: [] })).toMatchObject({ mode: 'base' });
    expect(itemRequest(item, { ...settings, alphas: [] }).alphas).toBeUndefined();
    expect(itemRequest(item, { ...settings, base: false })).toMatchObject({
      mode: 'guided',
      alphas: [0.5, 1],
    });
  });

  it('settings and α lists are checked with messages naming the field', () => {
    expect(() => validateEvalSettings({ ...settings, base: false, alphas: [] })).toThrow(/modes: choose/);
    expect(() => validateEvalSettings({ ...settings, maxNewTokens: 0 })).toThrow(/max new tokens/);
    expect(parseAlphaList(' 0, 0.25 1 ')).toEqual([0, 0.25, 1]);
    expect(parseAlphaList('')).toEqual([]);
    expect(() => parseAlphaList('0.5, half')).toThrow(/'half' is not a number/);
    expect(() => parseAlphaList('1,1')).toThrow(/must differ/);
  });
});

describe('OutputCollector', () => {
  const tok = (stream: 'base' | 'guided', id: number, delta: string, sweep?: number): RunEvent => ({
    type: 'token',
    runId: 1,
    stream,
    index: 0,
    id,
    delta,
    alpha: 0,
    timings: {},
    ...(sweep === undefined ? {} : { sweep }),
  });

  it('folds tokens, final texts and per-stream errors by sweep index', () => {
    const c = new OutputCollector(settings, 100);
    c.push(tok('base', 5, 'The answer '), 110);
    c.push(tok('guided', 6, 'x', 1), 120);
    c.push(tok('guided', 7, 'y', 0), 125);
    c.push({ type: 'stream-done', runId: 1, stream: 'base', reason: 'eos', text: 'The answer is 3.' }, 130);
    c.push(
      {
        type: 'error',
        runId: 1,
        stream: 'guided',
        sweep: 1,
        error: { name: 'WorkerCrashedError', message: 'gone' },
      },
      140,
    );
    c.push({ type: 'stream-done', runId: 1, stream: 'guided', sweep: 1, reason: 'error', text: 'x' }, 140);
    c.push(
      { type: 'stream-done', runId: 1, stream: 'guided', sweep: 0, reason: 'max_tokens', text: 'Answer: 3' },
      150,
    );
    expect(c.cancelled).toBe(false);
    const outs = c.list();
    expect(outs.map((o) => [o.mode, o.alpha, o.ids, o.text, o.reason, o.ms])).toEqual([
      ['base', null, [5], 'The answer is 3.', 'eos', 10],
      ['guided', 0.5, [7], 'Answer: 3', 'max_tokens', 25],
      ['guided', 1, [6], 'x', 'error', 20],
    ]);
    const rec = scoreItem(item, outs, 55.55);
    expect(rec.results.map((r) => [r.mode, r.alpha, r.correct, r.extracted, r.tokens])).toEqual([
      ['base', null, true, '3', 1],
      ['guided', 0.5, true, '3', 1],
      ['guided', 1, false, null, 1],
    ]);
    expect(rec).toMatchObject({ id: 'q', ms: 55.6, extra: { topic: 'counting' } });
    expect(rec.results[2]?.error).toEqual({ name: 'WorkerCrashedError', message: 'gone' });
  });

  it('an output that errors is wrong even when its partial text holds the answer; a cancelled run is not done', () => {
    const c = new OutputCollector({ ...settings, alphas: [] }, 0);
    c.push({ type: 'error', runId: 1, stream: 'base', error: { name: 'E', message: 'boom' } }, 1);
    c.push({ type: 'stream-done', runId: 1, stream: 'base', reason: 'error', text: 'Answer: 3' }, 1);
    expect(scoreItem(item, c.list(), 1).results[0]?.correct).toBe(false);
    const d = new OutputCollector(settings, 0);
    d.push({ type: 'stream-done', runId: 1, stream: 'base', reason: 'cancelled', text: '' }, 1);
    expect(d.cancelled).toBe(true);
    const e = new OutputCollector(settings, 0);
    e.push({ type: 'error', runId: 1, error: { name: 'Error', message: 'load a trio before running' } }, 1);
    expect(e.error).toEqual({ name: 'Error', message: 'load a trio before running' });
  });
});
