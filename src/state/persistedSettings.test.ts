import { describe, expect, it } from 'vitest';
import {
  parsePersistedSettings,
  serializePersistedSettings,
  type PersistedSettings,
} from './persistedSettings';
import { initialState } from './store';

const defaults = (): PersistedSettings => ({ settings: initialState().settings, question: '' });

describe('parsePersistedSettings', () => {
  it('gives back what was stored', () => {
    const kept: PersistedSettings = {
      settings: {
        trioSource: 'custom',
        presetId: 'tiny-escalate',
        dtype: 'fp32',
        backend: 'wasm',
        placement: 'one-worker',
        mode: 'guided',
        alpha: 1.25,
        decoding: 'sample',
        temperature: '0.9',
        topK: '20',
        topP: '0.8',
        seed: '7',
        maxNewTokens: '64',
        resolution: 'smart',
      },
      question: 'How many bars?\nThink step by step.',
    };
    expect(parsePersistedSettings(serializePersistedSettings(kept), defaults())).toEqual(kept);
  });

  it('falls back to the defaults when nothing usable is stored', () => {
    for (const raw of [null, '', 'not json {', 'null', '42', '"text"', '[1,2]', '{}', '{"settings":[]}'])
      expect(parsePersistedSettings(raw, defaults())).toEqual(defaults());
  });

  it('replaces each bad or unknown field with its default and keeps the good ones', () => {
    const raw = JSON.stringify({
      version: 0,
      settings: {
        trioSource: 'somewhere',
        presetId: 'a-preset-that-was-removed',
        dtype: 'fp8',
        backend: 'webgl',
        placement: 'single-thread', // the bench's naive loop, not a choice the page offers
        mode: 'guided',
        alpha: 7,
        decoding: 'beam',
        temperature: 0.7, // a number where the typed text belongs
        topK: 'x'.repeat(1000),
        topP: '0.5',
        seed: null,
        maxNewTokens: '128',
        resolution: 'ultra',
        extra: 'ignored',
      },
      question: 3,
    });
    const d = defaults();
    const got = parsePersistedSettings(raw, d);
    expect(got.settings).toEqual({
      ...d.settings,
      mode: 'guided',
      topP: '0.5',
      maxNewTokens: '128',
    });
    expect(got.question).toBe('');
  });

  it('refuses α outside the slider and values that are not finite numbers', () => {
    const d = defaults();
    for (const alpha of [-0.1, 2.01, 'NaN', null, '1'])
      expect(parsePersistedSettings(JSON.stringify({ settings: { alpha } }), d).settings.alpha).toBe(
        d.settings.alpha,
      );
    expect(parsePersistedSettings(JSON.stringify({ settings: { alpha: 0 } }), d).settings.alpha).toBe(0);
    expect(parsePersistedSettings(JSON.stringify({ settings: { alpha: 2 } }), d).settings.alpha).toBe(2);
  });

  it('keeps an older copy that lacks later fields (e.g. resolution) and a question with no settings', () => {
    const got = parsePersistedSettings(
      JSON.stringify({ settings: { mode: 'base' }, question: 'Why?' }),
      defaults(),
    );
    expect(got.settings.mode).toBe('base');
    expect(got.settings.resolution).toBe('full');
    expect(got.question).toBe('Why?');
  });
});
