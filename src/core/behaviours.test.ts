import { describe, expect, it } from 'vitest';
import { countBehaviours } from './behaviours';

describe('countBehaviours', () => {
  it('counts nothing in plain text', () => {
    expect(countBehaviours('The triangle has three equal sides.')).toEqual({
      verification: 0,
      backtracking: 0,
      subgoals: 0,
    });
    expect(countBehaviours('')).toEqual({ verification: 0, backtracking: 0, subgoals: 0 });
  });

  it('verification: each term, case-insensitive, double-check counted once', () => {
    expect(
      countBehaviours('Let me verify. VERIFYING now. Check it; checking again. I confirm.').verification,
    ).toBe(5);
    expect(countBehaviours('Let me double-check the sum.').verification).toBe(1);
    expect(countBehaviours('Double-check, then check.').verification).toBe(2);
  });

  it('verification: whole words only', () => {
    expect(countBehaviours('checkpoint, checked, confirmed, verified, rechecks').verification).toBe(0);
  });

  it('backtracking: wait, however, but actually, on second thought, let me re-…', () => {
    const t =
      'Wait, that is wrong. However, the angle is 30°. But actually the base is 4. ' +
      'On second thought, let me re-examine the figure. Let me reconsider. let me\nrecheck';
    expect(countBehaviours(t).backtracking).toBe(7);
  });

  it('backtracking: ignores look-alikes', () => {
    expect(
      countBehaviours('We await the result. Let me read the question. Let me restate it. but actual')
        .backtracking,
    ).toBe(0);
  });

  it('subgoals: first, next, step, then, finally', () => {
    expect(countBehaviours('First, find x. Next, find y. Step 3: then add. Finally, done.').subgoals).toBe(5);
    expect(countBehaviours('firstly, steps, thence, nextly').subgoals).toBe(0);
  });

  it('counts a realistic reasoning trace', () => {
    const trace =
      '<think>First, I need the area. The base is 6 and the height is 4, then area = 12. ' +
      'Wait, this is a triangle, so area = 1/2 · 6 · 4 = 12. Let me double-check: 6 × 4 = 24, ' +
      'half is 12. Finally, verify the units.</think>';
    expect(countBehaviours(trace)).toEqual({ verification: 2, backtracking: 1, subgoals: 3 });
  });
});
