/** The image processor runs once per image for the whole trio, and sharing changes no result. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../coordinator/engine';
import { ModelHost } from '../model/host';
import type { ChatTurn, ModelStats, PrefillRequest } from '../../src/core/protocol';
import { collect, hostApi, newEngine, request, testImage, tinyTrio } from './trio';

const IMAGE = testImage(150, 100, 5);
const TURNS: ChatTurn[] = [{ role: 'user', text: 'What is shown?', withImage: true }];
const processed = (s: ModelStats[]) => s.reduce((n, x) => n + x.imagesProcessed, 0);

describe('a model takes pixels another model made', () => {
  const maker = new ModelHost();
  const taker = new ModelHost();
  const logits = () => new SharedArrayBuffer(4 * 2048);
  beforeAll(async () => {
    const [base, expert] = tinyTrio();
    if (!base || !expert) throw new Error('no trio');
    await maker.load(base, { backend: 'wasm' }, () => undefined);
    await taker.load(expert, { backend: 'wasm' }, () => undefined);
  });

  const prefill = async (over: Partial<PrefillRequest>) => {
    await taker.reset();
    const req: PrefillRequest = { turns: TURNS, image: IMAGE, streams: 1, logits: logits(), ...over };
    const before = (await taker.stats()).imagesProcessed;
    const r = await taker.prefill(req);
    return {
      ...r,
      logits: new Float32Array(req.logits),
      processed: (await taker.stats()).imagesProcessed - before,
    };
  };

  it('gives the same prompt ids and bitwise the same logits as processing the image itself', async () => {
    const pixels = await maker.preprocess(IMAGE);
    expect(pixels.values.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(pixels.grid).toEqual([1, 8, 10]); // 150×100 → 140×112 px: 10×8 patches of 14
    const own = await prefill({});
    const shared = await prefill({ pixels });
    expect(own.processed).toBe(1);
    expect(shared.processed).toBe(0);
    expect(shared.promptIds).toEqual(own.promptIds);
    expect(shared.visionTokens).toBe(own.visionTokens);
    expect(shared.logits).toEqual(own.logits);
  });

  it('ignores pixels from another processor or another image', async () => {
    const pixels = await maker.preprocess(IMAGE);
    const own = await prefill({});
    const otherProcessor = await prefill({ pixels: { ...pixels, processorKey: '{"merge_size":2}' } });
    const otherImage = await prefill({ pixels: { ...pixels, imageKey: 'another image' } });
    for (const r of [otherProcessor, otherImage]) {
      expect(r.processed).toBe(1);
      expect(r.logits).toEqual(own.logits);
    }
  });
});

describe('the engine preprocesses once per image', () => {
  const hosts: ModelHost[] = [];
  const engine = newEngine(hosts);
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
  });
  const stats = () => Promise.all(hosts.map((h) => h.stats()));

  it('one image processor run for three models; none for a new question on the same image', async () => {
    const s0 = await stats();
    await collect(engine, request({ image: IMAGE, maxNewTokens: 3 }));
    const s1 = await stats();
    expect(processed(s1) - processed(s0)).toBe(1);
    s1.forEach((s, i) => expect(s.visionEncoderRuns - (s0[i]?.visionEncoderRuns ?? 0)).toBe(1));
    await collect(engine, request({ image: IMAGE, question: 'And what colour is it?', maxNewTokens: 3 }));
    expect(processed(await stats()) - processed(s1)).toBe(0);
  });

  it('when the shared preprocessing fails, each model processes its own image and the run is the same', async () => {
    const failing = new Engine(() => {
      const host = new ModelHost();
      hosts.push(host);
      const api = hostApi(host, {
        preprocess: () => Promise.reject(new Error('no memory for the pixels')),
      });
      return { api, terminate: () => undefined };
    });
    await failing.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    const req = request({ image: testImage(120, 90, 7), mode: 'side-by-side', maxNewTokens: 6 });
    const shared = await collect(engine, req);
    const before = processed(await Promise.all(hosts.slice(3).map((h) => h.stats())));
    const own = await collect(failing, req);
    const after = processed(await Promise.all(hosts.slice(3).map((h) => h.stats())));
    expect(after - before).toBe(3);
    expect(own.streams['guided']?.ids).toEqual(shared.streams['guided']?.ids);
    expect(own.streams['base']?.ids).toEqual(shared.streams['base']?.ids);
    await failing.dispose();
  });
});
