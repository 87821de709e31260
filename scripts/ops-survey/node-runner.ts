/** Runs a case's graphs on onnxruntime-node (CPU EP), listing each graph's op types after optimization. */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import pkg from 'onnx-proto';
import { buildGraph, caseFeeds, type GraphKind, type SurveyCase } from './case';
import { runGraphs, type GraphRun, type Ort, type Timing } from './run-graph';

const { onnx } = pkg;

export interface NodeGraphResult {
  kind: GraphKind;
  run: GraphRun;
  /** Op types of the graph onnxruntime runs after its optimizations (domain-qualified when not ONNX). */
  optimizedOps: string[];
  /** Op types of the graph as written. */
  originalOps: string[];
}

const ort: Ort = ortNode;

/** The distinct op types of a model (domain-qualified outside the ONNX domain); [] when unreadable. */
export function opTypes(bytes: Uint8Array): string[] {
  try {
    const model = onnx.ModelProto.decode(bytes);
    const ops = (model.graph?.node ?? []).map((n) =>
      n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : (n.opType ?? '?'),
    );
    return [...new Set(ops)];
  } catch {
    return [];
  }
}

function fileOpTypes(path: string): string[] {
  try {
    return opTypes(readFileSync(path));
  } catch {
    return [];
  }
}

const ORACLE_TIMING: Timing = { warmup: 0, minRuns: 1, maxRuns: 1, budgetMs: 0 };

export async function runOnNode(
  kase: SurveyCase,
  kinds: GraphKind[],
  opts: { threads: number; timing: Timing; scratch: string },
): Promise<NodeGraphResult[]> {
  mkdirSync(opts.scratch, { recursive: true });
  const feeds = caseFeeds(kase);
  const out: NodeGraphResult[] = [];
  // The timed graphs run in alternation; the oracle (outputs only) on its own.
  for (const batch of [kinds.filter((k) => k !== 'oracle'), kinds.filter((k) => k === 'oracle')]) {
    if (!batch.length) continue;
    const models = await Promise.all(batch.map((kind) => buildGraph(kase, kind)));
    const paths = batch.map((kind) => join(opts.scratch, `${kase.id}.${kind}.opt.onnx`));
    const runs = await runGraphs(
      ort,
      models.map((model, i) => ({ model, sessionOptions: { optimizedModelFilePath: paths[i] ?? '' } })),
      feeds,
      kase.outputs,
      {
        executionProviders: ['cpu'],
        sessionOptions: { intraOpNumThreads: opts.threads, interOpNumThreads: 1, logSeverityLevel: 3 },
        timing: batch[0] === 'oracle' ? ORACLE_TIMING : opts.timing,
      },
    );
    batch.forEach((kind, i) => {
      const path = paths[i] ?? '';
      out.push({
        kind,
        run: runs[i] ?? { ok: false, stage: 'run', error: 'not run' },
        optimizedOps: fileOpTypes(path),
        originalOps: opTypes(models[i] ?? new Uint8Array()),
      });
      rmSync(path, { force: true });
      rmSync(`${path}.data`, { force: true });
    });
  }
  return out;
}
