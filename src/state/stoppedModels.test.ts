import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../core/protocol';
import { applyLoadEvents, emptyModelsView, type ModelsView } from './loadView';
import { modelInfo } from './modelInfo.fixture';
import { applyStoppedModels, stoppedBlocker, stoppedRoles } from './stoppedModels';

function loadedTrio(): ModelsView {
  return applyLoadEvents(emptyModelsView(), [
    { type: 'loaded', info: modelInfo('base') },
    { type: 'loaded', info: modelInfo('expert') },
    { type: 'loaded', info: modelInfo('amateur') },
  ]);
}

const crash: RunEvent = {
  type: 'error',
  runId: 1,
  stream: 'guided',
  role: 'expert',
  error: { name: 'WorkerCrashedError', message: "the expert model's worker stopped: test crash" },
};

describe('applyStoppedModels', () => {
  it('marks the model named by a fatal stream error as stopped, with its error', () => {
    const before = loadedTrio();
    const after = applyStoppedModels(before, [{ type: 'alpha', runId: 1, alpha: 1, fromIndex: 2 }, crash]);
    expect(after.expert.stopped).toEqual({
      name: 'WorkerCrashedError',
      message: "the expert model's worker stopped: test crash",
    });
    expect(after.expert.info?.name).toBe('tiny-expert');
    expect(after.base.stopped).toBeNull();
    expect(stoppedRoles(after)).toEqual(['expert']);
    // The view it came from is not changed.
    expect(before.expert.stopped).toBeNull();
  });

  it('leaves the view as it is for errors that do not stop a model', () => {
    const before = loadedTrio();
    const events: RunEvent[] = [
      { ...crash, error: { name: 'RangeError', message: 'bad step' } },
      { type: 'error', runId: 1, error: { name: 'WorkerCrashedError', message: 'no role given' } },
      { type: 'stream-done', runId: 1, stream: 'base', reason: 'max_tokens', text: 'x' },
    ];
    expect(applyStoppedModels(before, events)).toBe(before);
  });

  it('marks a model named by a stopped event (a shared worker\'s crash stops models no stream needed)', () => {
    const shared: RunEvent = {
      type: 'stopped',
      runId: 1,
      role: 'amateur',
      error: { name: 'WorkerCrashedError', message: 'the amateur model stopped with the expert model' },
    };
    const after = applyStoppedModels(loadedTrio(), [crash, shared]);
    expect(stoppedRoles(after)).toEqual(['expert', 'amateur']);
    expect(after.amateur.stopped).toEqual({ name: 'WorkerCrashedError', message: 'the amateur model stopped with the expert model' });
  });

  it('keeps the first error of a model that reports several', () => {
    const lost: RunEvent = {
      ...crash,
      stream: 'expert',
      error: { name: 'GpuDeviceLostError', message: 'lost' },
    };
    const after = applyStoppedModels(loadedTrio(), [crash, lost]);
    expect(after.expert.stopped?.name).toBe('WorkerCrashedError');
  });

  it('loading the trio again starts from a view with no stopped model', () => {
    expect(stoppedRoles(emptyModelsView())).toEqual([]);
  });
});

describe('stoppedBlocker', () => {
  const stopped = applyStoppedModels(loadedTrio(), [crash]);

  it('refuses the modes that need the stopped model, naming it and what still runs', () => {
    for (const mode of ['side-by-side', 'guided', 'expert', 'base+expert'] as const) {
      const message = stoppedBlocker(mode, stopped);
      expect(message).toContain('The expert model (tiny-expert) stopped during an earlier run');
      expect(message).toContain("(WorkerCrashedError: the expert model's worker stopped: test crash)");
      expect(message).toContain('Load again');
      expect(message).toContain('Modes that still run: “Base only”.');
    }
  });

  it('lets base-only run, and every mode run when nothing stopped', () => {
    expect(stoppedBlocker('base', stopped)).toBeNull();
    for (const mode of ['side-by-side', 'guided', 'base', 'expert', 'base+expert'] as const)
      expect(stoppedBlocker(mode, loadedTrio())).toBeNull();
  });

  it('lists no alternative when the base model itself stopped and the mode needs it', () => {
    const base = applyStoppedModels(loadedTrio(), [
      { ...crash, role: 'base', error: { name: 'GpuDeviceLostError', message: 'device lost' } },
    ]);
    expect(stoppedBlocker('base', base)).toMatch(/^The base model \(tiny-base\) stopped .*device lost\)/);
    expect(stoppedBlocker('base', base)).toContain('Modes that still run: “Expert only”.');
  });
});
