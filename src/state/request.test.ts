import { describe, expect, it } from 'vitest';
import { buildRequest, historySettings, parseMaxNewTokens, parseSampling } from './request';
import { initialState } from './store';

const settings = initialState().settings;

describe('buildRequest', () => {
  it('refuses an empty or blank question', () => {
    const r = buildRequest(settings, '   \n', null, 5);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/question is empty/);
  });
  it('builds a greedy request from the defaults', () => {
    const r = buildRequest(settings, 'What?', null, 5);
    expect(r).toEqual({
      ok: true,
      value: {
        mode: 'side-by-side',
        alpha: 0.5,
        sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 },
        maxNewTokens: 512,
        question: 'What?',
        image: null,
        inspectTopK: 5,
        resolution: 'full',
      },
    });
  });
  it('carries the resolution setting into the request and the saved settings', () => {
    const r = buildRequest({ ...settings, resolution: 'smart' }, 'What?', null, 0);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.resolution).toBe('smart');
    expect(historySettings(r.value, null, 'tiny-escalate').resolution).toBe('smart');
  });
});

describe('parseSampling', () => {
  it('ignores the sampling fields when greedy', () => {
    expect(parseSampling({ ...settings, temperature: 'abc' })).toEqual({
      ok: true,
      value: { temperature: 0, topK: 0, topP: 1, seed: 0 },
    });
  });
  it('parses and validates when sampling', () => {
    expect(
      parseSampling({
        ...settings,
        decoding: 'sample',
        temperature: '0.7',
        topK: '40',
        topP: '0.9',
        seed: '7',
      }),
    ).toEqual({
      ok: true,
      value: { temperature: 0.7, topK: 40, topP: 0.9, seed: 7 },
    });
    const bad = parseSampling({ ...settings, decoding: 'sample', topP: '1.5' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/topP must be in \(0, 1\]/);
    const empty = parseSampling({ ...settings, decoding: 'sample', seed: '' });
    if (!empty.ok) expect(empty.error).toMatch(/Seed must be a number/);
    else expect.fail('an empty seed must be refused');
  });
});

describe('parseMaxNewTokens', () => {
  it('accepts whole numbers in range only', () => {
    expect(parseMaxNewTokens('16')).toEqual({ ok: true, value: 16 });
    for (const bad of ['', '0', '-3', '2.5', 'x', '100000']) expect(parseMaxNewTokens(bad).ok).toBe(false);
  });
});
