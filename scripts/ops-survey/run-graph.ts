/**
 * Creates a session for one graph and times its runs. Shared by the Node runner (onnxruntime-node) and the
 * page (onnxruntime-web), which pass in their own onnxruntime module; nothing here imports either.
 */
import type * as OrtCommon from 'onnxruntime-common';
import type { WireData, WireTensor, WireType } from './wire';

export type Ort = typeof OrtCommon;

export interface Timing {
  warmup: number;
  minRuns: number;
  maxRuns: number;
  /** Keep running (up to maxRuns) until this much time has been spent on timed runs. */
  budgetMs: number;
}

export const DEFAULT_TIMING: Timing = { warmup: 1, minRuns: 3, maxRuns: 25, budgetMs: 600 };

export type GraphRun =
  | { ok: true; createMs: number; runMs: number[]; outputs: WireTensor[] }
  | { ok: false; stage: 'create' | 'run'; error: string };

export interface RunOptions {
  executionProviders: string[];
  sessionOptions?: OrtCommon.InferenceSession.SessionOptions;
  runOptions?: OrtCommon.InferenceSession.RunOptions;
  timing: Timing;
  /** Called after each session has been created (or failed to be), e.g. to collect its log. */
  afterCreate?: (index: number) => void;
}

export interface GraphInput {
  model: Uint8Array;
  /** Merged over RunOptions.sessionOptions for this graph only. */
  sessionOptions?: OrtCommon.InferenceSession.SessionOptions;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function wireType(t: string): WireType {
  switch (t) {
    case 'float32':
    case 'float16':
    case 'int64':
    case 'int32':
    case 'bool':
    case 'uint8':
      return t;
    default:
      throw new Error(`unexpected output type ${t}`);
  }
}

/** A copy of an output tensor's data (a float16 tensor may come back as Uint16Array or Float16Array). */
function outputData(t: OrtCommon.Tensor): WireData {
  const d: unknown = t.data;
  if (
    d instanceof Float32Array ||
    d instanceof BigInt64Array ||
    d instanceof Int32Array ||
    d instanceof Uint8Array
  )
    return d.slice();
  if (d instanceof Uint16Array) return d.slice();
  if (t.type === 'float16' && ArrayBuffer.isView(d)) {
    // Float16Array (where the runtime has one): keep the bit patterns.
    return new Uint16Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  }
  throw new Error(`cannot read output of type ${t.type}`);
}

const now = (): number => performance.now();

interface Live {
  session: OrtCommon.InferenceSession;
  feed: Record<string, OrtCommon.Tensor>;
  fetches: string[];
  createMs: number;
  runMs: number[];
  last: Record<string, OrtCommon.Tensor>;
}

/**
 * Creates one session per model, then times them in alternation (a round runs each once), so a change of
 * machine load hits every graph alike. A graph that fails drops out; the others go on.
 */
export async function runGraphs(
  ort: Ort,
  graphs: GraphInput[],
  feeds: WireTensor[],
  outputs: string[],
  opts: RunOptions,
): Promise<GraphRun[]> {
  const results: (GraphRun | null)[] = graphs.map(() => null);
  const live: (Live | null)[] = [];
  for (const [i, graph] of graphs.entries()) {
    const t0 = now();
    try {
      const session = await ort.InferenceSession.create(graph.model, {
        ...opts.sessionOptions,
        ...graph.sessionOptions,
        executionProviders: opts.executionProviders,
      });
      const createMs = now() - t0;
      const feed: Record<string, OrtCommon.Tensor> = {};
      for (const f of feeds)
        if (session.inputNames.includes(f.name)) feed[f.name] = new ort.Tensor(f.type, f.data, f.dims);
      const missing = outputs.filter((o) => !session.outputNames.includes(o));
      if (missing.length) {
        results[i] = { ok: false, stage: 'create', error: `graph lacks outputs ${missing.join(', ')}` };
        await session.release();
        live.push(null);
      } else {
        live.push({ session, feed, fetches: [...outputs], createMs, runMs: [], last: {} });
      }
    } catch (e) {
      results[i] = { ok: false, stage: 'create', error: errorText(e) };
      live.push(null);
    }
    opts.afterCreate?.(i);
  }
  const runOptions = opts.runOptions ?? {};
  const runOnce = async (i: number, timed: boolean): Promise<void> => {
    const g = live[i];
    if (!g) return;
    try {
      const s = now();
      g.last = await g.session.run(g.feed, g.fetches, runOptions);
      if (timed) g.runMs.push(now() - s);
    } catch (e) {
      results[i] = { ok: false, stage: 'run', error: errorText(e) };
      live[i] = null;
      await g.session.release().catch(() => undefined);
    }
  };
  for (let w = 0; w < opts.timing.warmup; w++) for (let i = 0; i < live.length; i++) await runOnce(i, false);
  let spent = 0;
  for (let round = 0; round < opts.timing.maxRuns; round++) {
    if (round >= opts.timing.minRuns && spent >= opts.timing.budgetMs) break;
    if (live.every((g) => g === null)) break;
    const s = now();
    for (let i = 0; i < live.length; i++) await runOnce(i, true);
    spent += now() - s;
  }
  for (const [i, g] of live.entries()) {
    if (!g) continue;
    try {
      const outs: WireTensor[] = g.fetches.map((name) => {
        const t = g.last[name];
        if (!t) throw new Error(`no output ${name}`);
        return { name, type: wireType(t.type), dims: [...t.dims], data: outputData(t) };
      });
      results[i] = { ok: true, createMs: g.createMs, runMs: g.runMs, outputs: outs };
    } catch (e) {
      results[i] = { ok: false, stage: 'run', error: errorText(e) };
    }
    await g.session.release().catch(() => undefined);
  }
  return results.map((r) => r ?? { ok: false, stage: 'run', error: 'not run' });
}
