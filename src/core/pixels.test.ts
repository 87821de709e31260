import { describe, expect, it } from 'vitest';
import { expandImagePads, IMAGE_PAD, preprocessPlan, stableJson } from './pixels';

describe('expandImagePads', () => {
  it('repeats each placeholder once per merged patch of its own image', () => {
    const text = `a<|vision_start|>${IMAGE_PAD}<|vision_end|>b<|vision_start|>${IMAGE_PAD}<|vision_end|>c`;
    const out = expandImagePads(
      text,
      [
        [1, 4, 6],
        [1, 2, 2],
      ],
      2,
    );
    expect(out).toBe(
      `a<|vision_start|>${IMAGE_PAD.repeat(6)}<|vision_end|>b<|vision_start|>${IMAGE_PAD.repeat(1)}<|vision_end|>c`,
    );
  });
  it('leaves text without images alone and refuses a count mismatch', () => {
    expect(expandImagePads('plain', [], 2)).toBe('plain');
    expect(() => expandImagePads(`x${IMAGE_PAD}`, [], 2)).toThrow(/1 image placeholders for 0 images/);
    expect(() => expandImagePads('x', [[1, 2, 2]], 2)).toThrow(/0 image placeholders for 1 images/);
  });
});

describe('stableJson', () => {
  it('is independent of key order and keeps values apart', () => {
    expect(stableJson({ b: 1, a: [1, { d: 2, c: 'x' }] })).toBe(
      stableJson({ a: [1, { c: 'x', d: 2 }], b: 1 }),
    );
    expect(stableJson({ a: 1 })).not.toBe(stableJson({ a: 2 }));
    expect(stableJson({ a: 1, skip: undefined })).toBe('{"a":1}');
  });
});

describe('preprocessPlan', () => {
  it('lets the first model of each group of equal processors work for the others', () => {
    expect(
      preprocessPlan([
        { role: 'base', processorKey: 'k1' },
        { role: 'expert', processorKey: 'k1' },
        { role: 'amateur', processorKey: 'k1' },
      ]),
    ).toEqual([{ maker: 'base', takers: ['expert', 'amateur'], processorKey: 'k1' }]);
  });
  it('leaves a model alone when no other shares its processor or it has none', () => {
    expect(
      preprocessPlan([
        { role: 'base', processorKey: 'k1' },
        { role: 'expert', processorKey: 'k2' },
        { role: 'amateur', processorKey: 'k2' },
      ]),
    ).toEqual([{ maker: 'expert', takers: ['amateur'], processorKey: 'k2' }]);
    expect(
      preprocessPlan([
        { role: 'base', processorKey: null },
        { role: 'expert', processorKey: null },
      ]),
    ).toEqual([]);
  });
});
