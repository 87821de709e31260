/** The engine's merge as WebAssembly SIMD on the shared logits memory, against its JavaScript merge (tiny trio, in-thread). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunRequest } from '../../src/core/protocol';
import type { Engine } from '../coordinator/engine';
import { collect, newEngine, request, tinyTrio } from './trio';

interface Seen {
  ids: Record<string, number[]>;
  merged: Float32Array[];
  merge: string | undefined;
}

function engineWith(mergeKernel: boolean, seen: Float32Array[]): Engine {
  return newEngine([], { onToken: (stream, _i, _id, m) => void (stream !== 'base' && seen.push(m.slice())) }, { mergeKernel });
}

async function runIt(engine: Engine, merged: Float32Array[], req: RunRequest): Promise<Seen> {
  merged.length = 0;
  const { streams, events } = await collect(engine, req);
  const done = events.find((e): e is Extract<RunEvent, { type: 'done' }> => e.type === 'done');
  return { ids: Object.fromEntries(Object.entries(streams).map(([k, s]) => [k, s.ids])), merged: [...merged], merge: done?.loop.merge };
}

describe('merge kernel in the engine', () => {
  const simdMerged: Float32Array[] = [];
  const jsMerged: Float32Array[] = [];
  const simd = engineWith(true, simdMerged);
  const js = engineWith(false, jsMerged);
  beforeAll(async () => {
    await simd.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    await js.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
  });
  afterAll(async () => {
    await simd.dispose();
    await js.dispose();
  });

  it.each([
    ['guided', request({ alpha: 0.7, maxNewTokens: 12 })],
    ['base+expert', request({ mode: 'base+expert', alpha: 0.3, maxNewTokens: 8 })],
    ['side-by-side', request({ mode: 'side-by-side', alpha: 1.5, maxNewTokens: 8 })],
    ['an α sweep', request({ mode: 'side-by-side', alphas: [0, 0.5, 2], maxNewTokens: 6 })],
  ])('%s: the same tokens and merged logits, bit for bit; the SIMD engine says so in its loop stats', async (_what, req) => {
    const a = await runIt(simd, simdMerged, req);
    const b = await runIt(js, jsMerged, req);
    expect(a.merge).toBe('wasm-simd');
    expect(b.merge).toBe('js');
    expect(a.ids).toEqual(b.ids);
    expect(a.merged.length).toBe(b.merged.length);
    expect(a.merged.length).toBeGreaterThan(0);
    a.merged.forEach((m, i) => expect(Array.from(m), `token ${i}`).toEqual(Array.from(b.merged[i] ?? [])));
  });

  it('base and expert modes pick the greedy id of the model’s own row', async () => {
    for (const mode of ['base', 'expert'] as const) {
      const req = request({ mode, maxNewTokens: 10 });
      const a = await runIt(simd, simdMerged, req);
      const b = await runIt(js, jsMerged, req);
      expect(a.ids[mode]?.length).toBeGreaterThan(0);
      expect(a.ids).toEqual(b.ids);
    }
  });
});
