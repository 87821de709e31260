/**
 * The survey's cases build valid graphs, and the Node runner with the comparison tells an op that
 * computes the baseline's function from one that does not (real onnxruntime-node, no mocks).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { buildGraph, type SurveyCase } from './case';
import { allCases, CASE_GROUPS } from './cases/index';
import { normCases } from './cases/norm';
import { runOnNode } from './node-runner';
import { accuracyOf, verdictOf, graphRecord } from './results';

const { onnx } = pkg;
const TIMING = { warmup: 0, minRuns: 1, maxRuns: 1, budgetMs: 0 };
const scratch = join(tmpdir(), 'ops-survey-test');

describe('survey cases', () => {
  it('have unique ids in every group', () => {
    const ids = allCases(['norm', 'rotary', 'activation', 'fp16']).map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(CASE_GROUPS)).toEqual([
      'matmul',
      'gather',
      'norm',
      'rotary',
      'attention',
      'activation',
      'fp16',
      'block',
    ]);
  });

  it('build graphs that declare the compared outputs and use the op under test', async () => {
    for (const kase of allCases(['norm', 'rotary', 'attention'])) {
      for (const kind of ['candidate', 'baseline', 'oracle'] as const) {
        const model = onnx.ModelProto.decode(await buildGraph(kase, kind));
        const outs = (model.graph?.output ?? []).map((o) => o.name);
        expect(outs, `${kase.id} ${kind}`).toEqual(kase.outputs);
        if (kind === 'candidate') {
          const ops = (model.graph?.node ?? []).map((n) => n.opType);
          expect(
            ops.some((op) => op && kase.op.startsWith(op)),
            `${kase.id} uses ${kase.op}`,
          ).toBe(true);
        }
      }
    }
  });

  it('runs a fused op on onnxruntime-node and finds it exact', async () => {
    const kase = normCases().find((c) => c.id === 'ssln.s1');
    if (!kase) throw new Error('ssln.s1 missing');
    const [cand, base] = await runOnNode(kase, ['candidate', 'baseline'], {
      threads: 1,
      timing: TIMING,
      scratch,
    });
    if (!cand?.run.ok || !base?.run.ok) throw new Error('runs failed');
    const acc = accuracyOf(cand.run.outputs, base.run.outputs, kase.outputs);
    expect(verdictOf(graphRecord(cand.run), acc, kase.tolerance)).toBe('exact');
    expect(cand.optimizedOps).toContain('com.microsoft.SkipSimplifiedLayerNormalization');
  });

  it('calls a candidate that computes something else inexact', async () => {
    const good = normCases().find((c) => c.id === 'sln.s1');
    if (!good) throw new Error('sln.s1 missing');
    // The same op with a far larger epsilon: a different function of the input.
    const bad: SurveyCase = {
      ...good,
      candidate: (c) =>
        c.out(
          'y',
          c.op1(
            'SimplifiedLayerNormalization',
            [c.x('x'), c.f('w', new Float32Array(2048).fill(1), [2048])],
            { axis: -1, epsilon: { float: 0.5 } },
          ),
        ),
    };
    const [cand, base] = await runOnNode(bad, ['candidate', 'baseline'], {
      threads: 1,
      timing: TIMING,
      scratch,
    });
    if (!cand?.run.ok || !base?.run.ok) throw new Error('runs failed');
    expect(
      verdictOf(
        graphRecord(cand.run),
        accuracyOf(cand.run.outputs, base.run.outputs, bad.outputs),
        bad.tolerance,
      ),
    ).toBe('inexact');
  });
});
