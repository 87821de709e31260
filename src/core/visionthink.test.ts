import { describe, expect, it } from 'vitest';
import { checkToolCall, halveImage, RESIZE_CALL, TOOL_SYSTEM_PROMPT } from './visionthink';

describe('checkToolCall', () => {
  it('recognises the canonical resize_image call, also after other text', () => {
    expect(checkToolCall(RESIZE_CALL)).toEqual({ kind: 'resize' });
    expect(checkToolCall(`Let me look closer.\n${RESIZE_CALL}\n`)).toEqual({ kind: 'resize' });
    expect(checkToolCall('<tool_call>{"name":"resize_image","arguments":{"action":"resize"}}</tool_call>')).toEqual({ kind: 'resize' });
  });
  it('returns null until a call closes', () => {
    expect(checkToolCall('<tool_call>\n{"name": "resize_image"')).toBeNull();
    expect(checkToolCall('no tools here')).toBeNull();
  });
  it.each([
    ['<tool_call>\n{"name": "resize_image", "arguments": {"action": "resize"\n</tool_call>', /not valid JSON/],
    ['<tool_call>\n{"name": "crop_image", "arguments": {"action": "resize"}}\n</tool_call>', /unknown tool "crop_image"/],
    ['<tool_call>\n{"name": "resize_image", "arguments": {"action": "zoom"}}\n</tool_call>', /needs \{"action": "resize"\}/],
    ['<tool_call>\n[1, 2]\n</tool_call>', /has no name/],
    ['just text </tool_call>', /without <tool_call>/],
  ])('treats a malformed call as text: %s', (text, reason) => {
    const r = checkToolCall(text);
    expect(r?.kind).toBe('invalid');
    expect(r && 'reason' in r ? r.reason : '').toMatch(reason);
  });
  it('offers the tool in the system prompt', () => {
    expect(TOOL_SYSTEM_PROMPT).toContain('"name":"resize_image"');
    expect(TOOL_SYSTEM_PROMPT).toContain('<tools>');
  });
});

describe('halveImage', () => {
  it('averages 2×2 blocks and halves both sides', () => {
    const rgba = Uint8ClampedArray.from([
      0, 0, 0, 255, 100, 100, 100, 255, 10, 20, 30, 255,
      200, 200, 200, 255, 100, 100, 100, 255, 10, 20, 30, 255,
    ]);
    const half = halveImage(rgba, 3, 2);
    expect([half.width, half.height]).toEqual([1, 1]);
    expect(Array.from(half.rgba)).toEqual([100, 100, 100, 255]);
  });
  it('never returns an empty image', () => {
    expect(halveImage(new Uint8ClampedArray(4), 1, 1).width).toBe(1);
  });
});
