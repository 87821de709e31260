/**
 * Starts a model worker and wraps it as a ModelHandle. A worker that dies (an uncaught error, a
 * failed module load) rejects every pending call instead of leaving it hanging.
 */
import * as Comlink from 'comlink';
import type { LoadOptions, ModelWorkerApi } from '../../src/core/protocol';
import type { ModelRole } from '../../src/core/presets';
import type { ModelHandle } from './trio';

export function spawnModelWorker(role: ModelRole, _options: LoadOptions): ModelHandle {
  const worker = new Worker(new URL('../model.worker.ts', import.meta.url), { type: 'module', name: `model-${role}` });
  const remote = Comlink.wrap<ModelWorkerApi>(worker);
  let died: ((e: Error) => void) | null = null;
  const death = new Promise<never>((_, reject) => {
    died = reject;
  });
  death.catch(() => undefined);
  const fail = (message: string) => {
    const e = new Error(`the ${role} model's worker stopped: ${message}`);
    e.name = 'WorkerCrashedError';
    died?.(e);
  };
  worker.addEventListener('error', (ev) => fail(ev.message || 'uncaught error'));
  worker.addEventListener('messageerror', () => fail('a message could not be deserialised'));
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, death]);
  const api: ModelWorkerApi = {
    load: (spec, options, onProgress) => guard(remote.load(spec, options, Comlink.proxy(onProgress))),
    measure: (req) => guard(remote.measure(req)),
    prefill: (req) => guard(remote.prefill(req)),
    step: (tokens) => guard(remote.step(tokens)),
    extend: (req) => guard(remote.extend(req)),
    prefillRaw: (req) => guard(remote.prefillRaw(req)),
    preprocess: (image) => guard(remote.preprocess(image)),
    reset: () => guard(remote.reset()),
    stats: () => guard(remote.stats()),
    decode: (ids) => guard(remote.decode(ids)),
    dispose: () => guard(remote.dispose()),
    injectFault: (steps, kind) => guard(remote.injectFault(steps, kind)),
  };
  return {
    api,
    terminate: () => {
      fail('terminated');
      worker.terminate();
    },
  };
}
