import { describe, expect, it } from 'vitest';
import { agreement, median } from './compare';
import { mergeRecords, parseArgs } from './main';
import { parseSessionLog } from './ort-log';
import { cell, shortError } from './report';
import { accuracyOf, cpuFallback, pairedRatio, verdictOf, type BackendRecord, type Verdict } from './results';
import type { SurveyRecord } from './survey';

describe('agreement', () => {
  it('reports max abs and relative error against the reference', () => {
    const a = agreement([1, 2.5, -4], [1, 2, -4.5]);
    expect(a.maxAbs).toBeCloseTo(0.5);
    expect(a.rel).toBeCloseTo(0.5 / 4.5);
    expect(a.nonFinite).toBe(0);
  });

  it('counts one-sided NaN and infinity', () => {
    expect(agreement([NaN, Infinity, 1], [1, Infinity, 1]).nonFinite).toBe(1);
  });

  it('refuses different lengths', () => {
    expect(() => agreement([1], [1, 2])).toThrow();
  });

  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('results', () => {
  const tensor = (name: string, values: number[], dims = [values.length]) => ({
    name,
    type: 'float32' as const,
    dims,
    data: Float32Array.from(values),
  });

  it('pairs rounds for the time ratio', () => {
    expect(pairedRatio([2, 4, 100], [1, 2, 50])).toBe(2);
    expect(pairedRatio([], [1])).toBeNull();
  });

  it('calls exact, inexact and failed candidates', () => {
    const ok = { ok: true };
    const acc = accuracyOf([tensor('y', [1, 2.001])], [tensor('y', [1, 2])], ['y']);
    expect(verdictOf(ok, acc, 1e-2)).toBe('exact');
    expect(verdictOf(ok, acc, 1e-5)).toBe('inexact');
    expect(verdictOf({ ok: false }, null, 1)).toBe('fails');
  });

  it('flags shape differences instead of comparing', () => {
    const acc = accuracyOf([tensor('y', [1, 2], [1, 2])], [tensor('y', [1, 2], [2, 1])], ['y']);
    expect(acc.shapeError).toMatch(/\[1, 2\] vs oracle \[2, 1\]/);
    expect(verdictOf({ ok: true }, acc, 1)).toBe('inexact');
  });

  it('says when a WebGPU session ran nothing on WebGPU', () => {
    expect(
      cpuFallback({ placement: { counts: { CPUExecutionProvider: 1 }, ops: {} }, transformers: [] }),
    ).toEqual(['all nodes']);
  });

  it('lists compute ops left on the CPU by a WebGPU session, not shape ops', () => {
    const log = {
      placement: { counts: {}, ops: { CPUExecutionProvider: ['Shape', 'MatMulNBits', 'Gather'] } },
      transformers: [],
    };
    expect(cpuFallback(log)).toEqual(['MatMulNBits']);
  });
});

describe('onnxruntime session log', () => {
  it('reads a single placement and the transformers that changed the graph', () => {
    const log = parseSessionLog([
      '2026 [I:onnxruntime:, graph_transformer.cc:15 Apply] GraphTransformer SimplifiedLayerNormFusion modified: 1 with status: OK',
      '2026 [I:onnxruntime:, graph_transformer.cc:15 Apply] GraphTransformer EnsureUniqueDQForNodeUnit modified: 0 with status: OK',
      '2026 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 2',
    ]);
    expect(log.placement).toEqual({ counts: { WebGpuExecutionProvider: 2 }, ops: {} });
    expect(log.transformers).toEqual(['SimplifiedLayerNormFusion']);
  });

  it('reads node lines that carry their own log prefix', () => {
    const log = parseSessionLog([
      '2026 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 1',
      '2026 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   Range (/Range_node_12)',
      '2026 [V:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 1',
      '2026 [V:onnxruntime:, session_state.cc:1385 VerifyEachNodeIsAssignedToAnEp]   RotaryEmbedding (/RotaryEmbedding_node_16)',
      '2026 [W:onnxruntime:, session_state.cc:1397 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers',
    ]);
    expect(log.placement?.ops).toEqual({
      CPUExecutionProvider: ['Range'],
      WebGpuExecutionProvider: ['RotaryEmbedding'],
    });
  });

  it('reads split placements with their op types, whether lines come joined or apart', () => {
    const lines = [
      '2026 [V:onnxruntime:, session_state.cc:1390 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2',
      '  Shape (/Shape_1)',
      '  GatherBlockQuantized (/gbq)',
      '2026 [V:onnxruntime:, x] Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 1\n  MatMul (/mm)\n',
    ];
    const log = parseSessionLog(lines);
    expect(log.placement?.counts).toEqual({ CPUExecutionProvider: 2, WebGpuExecutionProvider: 1 });
    expect(log.placement?.ops).toEqual({
      CPUExecutionProvider: ['Shape', 'GatherBlockQuantized'],
      WebGpuExecutionProvider: ['MatMul'],
    });
  });
});

describe('report', () => {
  const rec = (over: Partial<BackendRecord>): BackendRecord => ({
    candidate: { ok: true, medianMs: 2.5 },
    baseline: { ok: true, medianMs: 5 },
    accuracy: { candidate: { maxAbs: 1e-6, rel: 3e-7, nonFinite: 0, perOutput: {} }, baseline: null },
    verdict: 'exact',
    timeRatio: 0.5,
    ...over,
  });

  it('writes a cell: verdict, error, time and ratio, CPU fallback, inserted Casts', () => {
    expect(cell(rec({}))).toBe('✓ 3e−7 · 2.5 ms (0.50×)');
    expect(cell(rec({ cpuFallback: ['all nodes'] }))).toBe('✓ 3e−7 · 2.5 ms (0.50×) · on CPU: all nodes');
    const casts = rec({ candidate: { ok: true, medianMs: 0.25, addedOps: ['Cast'] }, timeRatio: 1.2 });
    expect(cell(casts)).toBe('✓ 3e−7 · 0.25 ms (1.20×) · fp16 via inserted Casts');
    expect(
      cell(rec({ verdict: 'fails', candidate: { ok: false, stage: 'create', error: 'Error: boom' } })),
    ).toBe('✗ create: boom');
    expect(cell(undefined)).toBe('–');
  });

  it('keeps what an onnxruntime error says went wrong', () => {
    const e =
      "Error: failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: Non-zero status code returned while running MatMul node. Name:'/MatMul_node_2' Status Message: shader_helper.cc:416 GenerateSourceCode Program MatMul requires f16 but the device does not support it.";
    expect(shortError(e)).toBe('Program MatMul requires f16 but the device does not support it.');
    const create =
      "Error: Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: Could not find an implementation for X(1) node";
    expect(shortError(create)).toBe('Could not find an implementation for X(1) node');
  });
});

describe('merging a rerun into earlier results', () => {
  const backend = (verdict: Verdict): BackendRecord => ({
    candidate: { ok: verdict !== 'fails' },
    baseline: { ok: true },
    accuracy: { candidate: null, baseline: null },
    verdict,
    timeRatio: null,
  });
  const rec = (id: string, backends: SurveyRecord['backends']): SurveyRecord => ({
    id,
    group: 'g',
    op: 'op',
    variant: id,
    dtype: 'float',
    tolerance: 1,
    backends,
  });

  it('keeps the backends a rerun did not touch and appends new cases', () => {
    const prev = [
      rec('a', { node: backend('exact'), webgpu: backend('fails') }),
      rec('b', { node: backend('exact') }),
    ];
    const fresh = [rec('a', { webgpu: backend('exact') }), rec('c', { node: backend('exact') })];
    const merged = mergeRecords(prev, fresh);
    expect(merged.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(merged[0]?.backends.node?.verdict).toBe('exact');
    expect(merged[0]?.backends.webgpu?.verdict).toBe('exact');
  });
});

describe('command line', () => {
  it('defaults to every backend on port 4273 or E2E_PORT', () => {
    expect(parseArgs([]).backends).toEqual(['node', 'wasm', 'webgpu']);
    expect(parseArgs([]).port).toBe(4273);
    expect(parseArgs([], { E2E_PORT: '4999' }).port).toBe(4999);
  });

  it('takes backends, groups and a case filter', () => {
    const o = parseArgs(['--backends', 'webgpu,node', '--groups=norm', '--only', '^sln', '--threads', '2']);
    expect(o.backends).toEqual(['node', 'webgpu']);
    expect(o.groups).toEqual(['norm']);
    expect(o.only?.test('sln.s1')).toBe(true);
    expect(o.threads).toBe(2);
  });

  it('names the bad option or value', () => {
    expect(() => parseArgs(['--backends', 'cuda'])).toThrow(/--backends: unknown cuda/);
    expect(() => parseArgs(['--groups', 'nope'])).toThrow(/--groups: unknown nope/);
    expect(() => parseArgs(['--threads', '0'])).toThrow(/--threads: expected an integer ≥ 1, got "0"/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option --frobnicate/);
  });
});
