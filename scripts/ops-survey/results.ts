/** Turning raw runs into the survey's records: agreement with the oracle, verdicts, time ratios. */
import { agreement, median, type Agreement } from './compare';
import { f16ToF32 } from '../../src/convert/onnx/half';
import type { SessionLog } from './ort-log';
import type { GraphRun } from './run-graph';
import type { WireTensor } from './wire';

export type Backend = 'node' | 'wasm' | 'webgpu';
export const BACKENDS: Backend[] = ['node', 'wasm', 'webgpu'];

export interface GraphRecord {
  ok: boolean;
  stage?: 'create' | 'run';
  error?: string;
  createMs?: number;
  medianMs?: number;
  minMs?: number;
  runs?: number;
  /** WebGPU/WASM: where onnxruntime placed the nodes, and which transformers changed the graph. */
  log?: SessionLog;
  /** Node: op types after onnxruntime's optimizations. */
  optimizedOps?: string[];
  /** Node: op types the optimizations brought in (fusions; Cast = a float16 node run in float32). */
  addedOps?: string[];
}

export interface AccuracyRecord extends Agreement {
  perOutput: Record<string, Agreement>;
  /** Set when an output's shape differs from the oracle's. */
  shapeError?: string;
}

export type Verdict = 'exact' | 'inexact' | 'fails' | 'skipped';

export interface BackendRecord {
  candidate: GraphRecord;
  baseline: GraphRecord;
  /** Against the float32 plain-op oracle on onnxruntime-node. */
  accuracy: { candidate: AccuracyRecord | null; baseline: AccuracyRecord | null };
  verdict: Verdict;
  /** Median over rounds of candidate ÷ baseline time, the two timed in alternation (below 1: the candidate is faster). */
  timeRatio: number | null;
  /** WebGPU: the candidate's op types that onnxruntime placed on the CPU EP instead. */
  cpuFallback?: string[];
}

export function graphRecord(
  run: GraphRun,
  extra: Pick<GraphRecord, 'log' | 'optimizedOps' | 'addedOps'> = {},
): GraphRecord {
  if (!run.ok) return { ok: false, stage: run.stage, error: run.error, ...extra };
  return {
    ok: true,
    createMs: round(run.createMs, 1),
    medianMs: round(median(run.runMs), 3),
    minMs: round(Math.min(...run.runMs), 3),
    runs: run.runMs.length,
    ...extra,
  };
}

export function floatValues(t: WireTensor): Float64Array {
  if (t.type === 'float16' && t.data instanceof Uint16Array) return Float64Array.from(f16ToF32(t.data));
  if (t.data instanceof BigInt64Array) return Float64Array.from(t.data, Number);
  return Float64Array.from(t.data);
}

export function accuracyOf(outputs: WireTensor[], oracle: WireTensor[], names: string[]): AccuracyRecord {
  const perOutput: Record<string, Agreement> = {};
  let worst: Agreement = { maxAbs: 0, rel: 0, nonFinite: 0 };
  let shapeError: string | undefined;
  for (const name of names) {
    const a = outputs.find((o) => o.name === name);
    const b = oracle.find((o) => o.name === name);
    if (!a || !b) {
      shapeError = `output ${name} missing`;
      continue;
    }
    if (a.dims.join(',') !== b.dims.join(',')) {
      shapeError = `${name}: [${a.dims.join(', ')}] vs oracle [${b.dims.join(', ')}]`;
      continue;
    }
    const ag = agreement(floatValues(a), floatValues(b));
    perOutput[name] = roundAgreement(ag);
    worst = {
      maxAbs: Math.max(worst.maxAbs, ag.maxAbs),
      rel: Math.max(worst.rel, ag.rel),
      nonFinite: worst.nonFinite + ag.nonFinite,
    };
  }
  return { ...roundAgreement(worst), perOutput, ...(shapeError ? { shapeError } : {}) };
}

export function verdictOf(candidate: GraphRecord, acc: AccuracyRecord | null, tolerance: number): Verdict {
  if (!candidate.ok) return 'fails';
  if (!acc) return 'skipped';
  return !acc.shapeError && acc.nonFinite === 0 && acc.rel <= tolerance ? 'exact' : 'inexact';
}

/**
 * Op types of the candidate that a WebGPU session left on the CPU EP (shape ops excluded: placed there on
 * purpose); ['all nodes'] when nothing at all ran on WebGPU.
 */
export function cpuFallback(log: SessionLog | undefined): string[] {
  const counts = log?.placement?.counts ?? {};
  if (counts.CPUExecutionProvider && Object.keys(counts).length === 1) return ['all nodes'];
  const ops = log?.placement?.ops.CPUExecutionProvider ?? [];
  const SHAPE_OPS = new Set([
    'Shape',
    'Gather',
    'Unsqueeze',
    'Concat',
    'Slice',
    'Squeeze',
    'Reshape',
    'Range',
    'ReduceProd',
    'Identity',
    'ConstantOfShape',
  ]);
  return [...new Set(ops.filter((op) => !SHAPE_OPS.has(op)))];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function roundAgreement(a: Agreement): Agreement {
  const sig = (x: number): number => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(3)) : x);
  return { maxAbs: sig(a.maxAbs), rel: sig(a.rel), nonFinite: a.nonFinite };
}

/** Median of the per-round ratios a[i] / b[i] (the graphs ran in alternation, so round i saw one machine state). */
export function pairedRatio(a: number[], b: number[]): number | null {
  const n = Math.min(a.length, b.length);
  if (n === 0) return null;
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? NaN;
    const y = b[i] ?? NaN;
    if (y > 0 && Number.isFinite(x)) ratios.push(x / y);
  }
  return ratios.length ? round(median(ratios), 3) : null;
}
