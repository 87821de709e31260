import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../core/protocol';
import type { LoadEvent } from '../core/protocol';
import { applyLoadEvents, emptyModelsView, loadEventsOf, totalBytes } from './loadView';
import { modelInfo } from './modelInfo.fixture';

const info: ModelInfo = modelInfo('expert', { backendReason: 'WASM was requested' });

describe('applyLoadEvents', () => {
  it('tracks bytes per file, phases and the final info', () => {
    let v = emptyModelsView();
    v = applyLoadEvents(v, [
      { type: 'progress', role: 'base', file: 'onnx/a.onnx', loaded: 10, total: 100 },
      { type: 'progress', role: 'base', file: 'onnx/a.onnx', loaded: 60, total: 100 },
      { type: 'progress', role: 'base', file: 'config.json', loaded: 5, total: 0 },
    ]);
    expect(v.base.phase).toBe('download');
    expect(v.base.files['onnx/a.onnx']).toEqual({ loaded: 60, total: 100 });
    expect(totalBytes(v.base)).toEqual({ loaded: 65, total: 100 });
    v = applyLoadEvents(v, [
      { type: 'phase', role: 'base', phase: 'compile' },
      { type: 'loaded', info },
    ]);
    expect(v.base.phase).toBe('compile');
    expect(v.expert.phase).toBe('ready');
    expect(v.expert.info?.backendReason).toBe('WASM was requested');
    expect(v.amateur.phase).toBe('waiting');
  });
  it('does not mutate the previous view', () => {
    const v0 = emptyModelsView();
    applyLoadEvents(v0, [{ type: 'progress', role: 'base', file: 'x', loaded: 1, total: 2 }]);
    expect(v0.base.files).toEqual({});
  });
});

describe('applyLoadEvents, sources and failures', () => {
  it('keeps where a file came from and why it failed', () => {
    const failure = { reason: 'storage' as const, message: 'x could not be stored', fatal: false };
    let v = applyLoadEvents(emptyModelsView(), [
      { type: 'progress', role: 'base', file: 'a', loaded: 1, total: 2, source: 'cache' },
    ]);
    v = applyLoadEvents(v, [{ type: 'progress', role: 'base', file: 'a', loaded: 2, total: 2, failure }]);
    expect(v.base.files.a).toEqual({ loaded: 2, total: 2, source: 'cache', failure });
  });
});

describe('loadEventsOf', () => {
  it('rebuilds the same view from one event per file, phase and info', () => {
    const failure = { reason: 'storage' as const, message: 'x could not be kept', fatal: false };
    const events: LoadEvent[] = [
      { type: 'progress', role: 'base', file: 'a.onnx', loaded: 10, total: 100, source: 'network' },
      { type: 'progress', role: 'base', file: 'a.onnx', loaded: 100, total: 100, failure },
      { type: 'progress', role: 'base', file: 'b.json', loaded: 5, total: 0, source: 'cache' },
      { type: 'phase', role: 'base', phase: 'compile' },
      { type: 'progress', role: 'expert', file: 'c.onnx', loaded: 7, total: 7, source: 'disk' },
      { type: 'loaded', info },
    ];
    const view = applyLoadEvents(emptyModelsView(), events);
    const replay = loadEventsOf(view);
    expect(replay.filter((e) => e.type === 'progress')).toHaveLength(3);
    expect(applyLoadEvents(emptyModelsView(), replay)).toEqual(view);
    expect(replay).toContainEqual({
      type: 'progress',
      role: 'base',
      file: 'a.onnx',
      loaded: 100,
      total: 100,
      source: 'network',
      failure,
    });
  });
  it('is empty before a load', () => {
    expect(loadEventsOf(emptyModelsView())).toEqual([]);
  });
});
