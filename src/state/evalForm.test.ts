/** The Evaluate form as typed → run settings, or a message naming the field to fix. */
import { describe, expect, it } from 'vitest';
import { formSettings } from './evalActions';
import { emptyEvalSlice } from './evalSlice';

const form = { ...emptyEvalSlice().form, alphas: '0, 1', maxNewTokens: '64' };

describe('formSettings', () => {
  it('reads the defaults and the typed values', () => {
    expect(formSettings(emptyEvalSlice().form)).toEqual({
      ok: true,
      settings: { base: true, alphas: [0, 0.5, 1], maxNewTokens: 256, resolution: 'full' },
      limit: null,
    });
    expect(formSettings({ ...form, limit: ' 3 ', resolution: 'smart' })).toMatchObject({
      ok: true,
      limit: 3,
      settings: { alphas: [0, 1], maxNewTokens: 64, resolution: 'smart' },
    });
    expect(formSettings({ ...form, alphas: '' })).toMatchObject({
      ok: true,
      settings: { base: true, alphas: [] },
    });
  });

  it('names what is wrong', () => {
    const error = (f: Partial<typeof form>) => {
      const r = formSettings({ ...form, ...f });
      return r.ok ? null : r.error;
    };
    expect(error({ alphas: '0, one' })).toBe("Evaluation settings: α values: 'one' is not a number");
    expect(error({ alphas: '1, 1' })).toMatch(/must differ/);
    expect(error({ alphas: '', base: false })).toMatch(/choose the base model and\/or at least one α/);
    expect(error({ maxNewTokens: '12.5' })).toMatch(
      /max new tokens must be an integer from 1 to 4096, got 12.5/,
    );
    expect(error({ limit: '0' })).toMatch(/limit must be a whole number ≥ 1, got "0"/);
  });
});
