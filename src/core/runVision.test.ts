import { describe, expect, it } from 'vitest';
import { rolesOfStream } from './plan';
import { escalationLabel, parseRunVision, visionSummary, type RunVision } from './runVision';

const low: RunVision = {
  resolution: 'smart',
  image: [112, 112],
  visualTokens: { base: 16, expert: 16, amateur: 16 },
  escalation: null,
};
const escalated: RunVision = {
  ...low,
  escalation: {
    stream: 'guided',
    atIndex: 2,
    image: { low: [112, 112], full: [224, 224] },
    visualTokens: {
      base: { low: 16, full: 64 },
      expert: { low: 16, full: 64 },
      amateur: { low: 16, full: 64 },
    },
  },
};
const guidedRoles = rolesOfStream('side-by-side', 'guided');

describe('visionSummary', () => {
  it('gives the image size and the visual tokens the models agree on', () => {
    expect(visionSummary(low, 'guided', guidedRoles)).toBe('image 112×112 (16 visual tokens)');
  });
  it('gives both sizes and both token counts on the stream that escalated', () => {
    expect(visionSummary(escalated, 'guided', guidedRoles)).toBe('112×112 → 224×224, 16 + 64 visual tokens');
  });
  it('leaves the base-only stream of a side-by-side run at the low resolution', () => {
    expect(rolesOfStream('side-by-side', 'base')).toEqual(['base']);
    expect(visionSummary(escalated, 'base', ['base'])).toBe('image 112×112 (16 visual tokens)');
  });
  it('names the models when their counts differ', () => {
    const v: RunVision = { ...low, visualTokens: { base: 64, expert: 16 } };
    expect(visionSummary(v, 'guided', rolesOfStream('base+expert', 'guided'))).toBe(
      'image 112×112 (base 64, expert 16 visual tokens)',
    );
  });
  it('says nothing for a run without an image', () => {
    expect(visionSummary({ ...low, image: null }, 'guided', guidedRoles)).toBeNull();
  });
});

describe('escalationLabel', () => {
  it('names the token and both sizes', () => {
    const esc = escalated.escalation;
    if (!esc) throw new Error('fixture');
    expect(escalationLabel(esc)).toBe('Switched to the full-resolution image at token 2 (112×112 → 224×224)');
  });
});

describe('parseRunVision', () => {
  it('round-trips a record', () => {
    expect(parseRunVision(structuredClone(escalated))).toEqual(escalated);
  });
  it('refuses records without a known resolution and drops bad counts', () => {
    expect(parseRunVision(null)).toBeNull();
    expect(parseRunVision({ ...low, resolution: 'huge' })).toBeNull();
    expect(
      parseRunVision({ ...low, visualTokens: { base: -1, expert: 'x', amateur: 16 }, image: [1] }),
    ).toEqual({
      ...low,
      visualTokens: { amateur: 16 },
      image: null,
    });
  });
});
