/** VisionThink in the engine: low-resolution first, one exact escalation when the guided stream asks. */
import { beforeAll, describe, expect, it } from 'vitest';
import { argmax } from '../../src/core/select';
import { mergeLogits } from '../../src/core/merge';
import type { ModelRole } from '../../src/core/presets';
import type { RunEvent } from '../../src/core/protocol';
import { halveImage, TOOL_RESPONSE_TURN, TOOL_SYSTEM_PROMPT } from '../../src/core/visionthink';
import { ModelHost } from '../model/host';
import { collect, familyTrio, newEngine, request, testImage, tinyTrio } from './trio';

const IMAGE = testImage(224, 224, 3); // exactly max_pixels: 16×16 patches → 64 visual tokens; half: 16

describe('VisionThink: smart mode without escalation', () => {
  const hosts: ModelHost[] = [];
  const engine = newEngine(hosts);
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
  });

  it('encodes only the low-resolution image when the model never asks', async () => {
    const full = await collect(engine, request({ image: IMAGE, resolution: 'full', maxNewTokens: 8 }));
    const before = await Promise.all(hosts.map((h) => h.stats()));
    const smart = await collect(engine, request({ image: IMAGE, resolution: 'smart', maxNewTokens: 24 }));
    const after = await Promise.all(hosts.map((h) => h.stats()));
    expect(smart.events.some((e) => e.type === 'escalated')).toBe(false);
    after.forEach((s, i) => {
      expect(s.visionEncoderRuns - (before[i]?.visionEncoderRuns ?? 0)).toBe(1);
      expect(s.visionTokens - (before[i]?.visionTokens ?? 0)).toBe(16);
    });
    const fullStart = full.events.find((e) => e.type === 'started');
    const smartStart = smart.events.find((e) => e.type === 'started');
    expect(fullStart?.type === 'started' && fullStart.visualTokens).toEqual({ base: 64, expert: 64, amateur: 64 });
    expect(smartStart?.type === 'started' && smartStart.visualTokens).toEqual({ base: 16, expert: 16, amateur: 16 });
    expect(smartStart?.type === 'started' && smartStart.image).toEqual([112, 112]);
  });

  it('low mode uses the half image and offers no tool', async () => {
    const low = await collect(engine, request({ image: IMAGE, resolution: 'low', maxNewTokens: 4 }));
    const start = low.events.find((e) => e.type === 'started');
    expect(start?.type === 'started' && start.resolution).toBe('low');
    expect(start?.type === 'started' && start.visualTokens.base).toBe(16);
  });
});

describe('VisionThink: the escalating expert', () => {
  const hosts: ModelHost[] = [];
  const engine = newEngine(hosts);
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio('fp32', 'tiny-expert-escalate'), { backend: 'wasm' }, () => undefined);
  });

  it('escalates exactly once; the continuation equals a run given the same history directly', async () => {
    const req = request({ image: IMAGE, resolution: 'smart', alpha: 1, maxNewTokens: 16 });
    const before = await Promise.all(hosts.map((h) => h.stats()));
    const run = await collect(engine, req);
    const after = await Promise.all(hosts.map((h) => h.stats()));
    const escalations = run.events.filter((e): e is Extract<RunEvent, { type: 'escalated' }> => e.type === 'escalated');
    expect(escalations).toHaveLength(1);
    const esc = escalations[0];
    if (!esc) throw new Error('no escalation');
    expect(esc.visualTokens).toEqual({ base: { low: 16, full: 64 }, expert: { low: 16, full: 64 }, amateur: { low: 16, full: 64 } });
    after.forEach((s, i) => expect(s.visionEncoderRuns - (before[i]?.visionEncoderRuns ?? 0)).toBe(2));
    // The image processor ran once per resolution for all three models together (shared pixels).
    const processed = (xs: typeof after) => xs.reduce((n, x) => n + x.imagesProcessed, 0);
    expect(processed(after) - processed(before)).toBe(2);
    // A second resize call (the expert asks again after every new assistant turn) stays text.
    const ignored = run.events.filter((e) => e.type === 'tool-call-ignored');
    for (const e of ignored) expect(e.type === 'tool-call-ignored' && e.reason).toBe('at most one escalation per run');

    const guided = run.streams['guided']?.ids ?? [];
    const k = esc.atIndex;
    const start = run.events.find((e) => e.type === 'started');
    if (start?.type !== 'started') throw new Error('no start');
    // Direct: each model prefills prompt + generated tokens (through the call) + the tool-response turn at once.
    const low = halveImage(IMAGE.rgba, IMAGE.width, IMAGE.height);
    const lowImage = { ...low, key: 'low' };
    const direct = new Map<ModelRole, { host: ModelHost; view: Float32Array }>();
    for (const spec of tinyTrio('fp32', 'tiny-expert-escalate')) {
      const host = new ModelHost();
      const info = await host.load(spec, { backend: 'wasm' }, () => undefined);
      const buf = new SharedArrayBuffer(info.vocabRows * 4);
      const ids = [...(start.promptIds[spec.role] ?? []), ...guided.slice(0, k + 1), ...(esc.extensionIds[spec.role] ?? [])];
      await host.prefillRaw({ ids, images: [lowImage, IMAGE], logits: buf });
      direct.set(spec.role, { host, view: new Float32Array(buf) });
    }
    const vocab = 1051;
    const scratch = new Float32Array(vocab);
    const continuation: number[] = [];
    for (let t = k + 1; t < guided.length; t++) {
      const z = mergeLogits(scratch, vocab, 'guided', 1, direct.get('base')?.view ?? null, direct.get('expert')?.view ?? null, direct.get('amateur')?.view ?? null);
      const id = argmax(z, vocab);
      continuation.push(id);
      for (const d of direct.values()) await d.host.step(Int32Array.from([id]));
    }
    expect(continuation).toEqual(guided.slice(k + 1));
    expect(continuation.length).toBeGreaterThan(2);
    for (const d of direct.values()) await d.host.dispose();
  });

  it('side-by-side: the base-only stream is not escalated and equals its solo run', async () => {
    const req = request({ image: IMAGE, resolution: 'smart', alpha: 1, maxNewTokens: 12, mode: 'side-by-side' });
    const both = await collect(engine, req);
    expect(both.events.filter((e) => e.type === 'escalated')).toHaveLength(1);
    const solo = await collect(engine, { ...req, mode: 'base' });
    expect(both.streams['base']?.ids).toEqual(solo.streams['base']?.ids);
    const guidedSolo = await collect(engine, { ...req, mode: 'guided' });
    expect(both.streams['guided']?.ids).toEqual(guidedSolo.streams['guided']?.ids);
  });

  it.each(['tiny', 'tiny2', 'tiny3'] as const)('%s: the extension prefill is exact: logits equal a direct prefill of the same history (≤ 1e-4)', async (family) => {
    const spec = familyTrio(family)[0];
    if (!spec) throw new Error('no spec');
    const low = { ...halveImage(IMAGE.rgba, IMAGE.width, IMAGE.height), key: 'low' };
    const inc = new ModelHost();
    const info = await inc.load(spec, { backend: 'wasm' }, () => undefined);
    const bufA = new SharedArrayBuffer(2 * info.vocabRows * 4);
    const pre = await inc.prefill({ turns: [{ role: 'system', text: TOOL_SYSTEM_PROMPT }, { role: 'user', text: 'How many bars?', withImage: true }], image: low, streams: 2, logits: bufA });
    const generated = [101, 202, 303];
    for (const id of generated) await inc.step(Int32Array.from([id, id + 1]));
    // Row 1 escalates; row 0 sits the extension out (masked padding) and must be unaffected.
    const ext = await inc.extend({ rows: [1], pending: Int32Array.from([404, 405]), text: TOOL_RESPONSE_TURN, image: IMAGE });
    const a = new Float32Array(bufA);
    const direct = async (ids: number[], images: typeof IMAGE[]) => {
      const h = new ModelHost();
      await h.load(spec, { backend: 'wasm' }, () => undefined);
      const buf = new SharedArrayBuffer(info.vocabRows * 4);
      await h.prefillRaw({ ids, images, logits: buf });
      await h.dispose();
      return new Float32Array(buf);
    };
    const row1 = await direct([...pre.promptIds, 102, 203, 304, 405, ...ext.ids], [low, IMAGE]);
    const row0 = await direct([...pre.promptIds, 101, 202, 303, 404], [low]);
    const diff = (x: Float32Array, off: number) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - (a[off + i] ?? NaN))), 0);
    expect(diff(row1, info.vocabRows)).toBeLessThanOrEqual(1e-4);
    expect(diff(row0, 0)).toBeLessThanOrEqual(1e-4);
    // The rows keep stepping correctly after the extension.
    await inc.step(Int32Array.from([7, 8]));
    const row1b = await direct([...pre.promptIds, 102, 203, 304, 405, ...ext.ids, 8], [low, IMAGE]);
    expect(diff(row1b, info.vocabRows)).toBeLessThanOrEqual(1e-4);
    await inc.dispose();
  });

  it('offers the tool only in smart mode', () => {
    expect(TOOL_SYSTEM_PROMPT).toContain('resize_image');
  });
});
