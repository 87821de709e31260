/**
 * Starts model workers and wraps each model as a ModelHandle: a worker per model, or the
 * one-worker placement's worker shared by the three. A worker that dies (an uncaught error, a failed
 * module load) rejects every pending and later call of its models instead of leaving them hanging.
 */
import * as Comlink from 'comlink';
import type { LoadOptions, ModelWorkerApi } from '../../src/core/protocol';
import type { ModelRole } from '../../src/core/presets';
import type { TrioWorkerApi } from '../trio.worker';
import type { ModelHandle } from './trio';

export function spawnModelWorker(role: ModelRole, _options: LoadOptions): ModelHandle {
  const worker = new Worker(new URL('../model.worker.ts', import.meta.url), { type: 'module', name: `model-${role}` });
  const end = ending();
  onDeath(worker, (message) => end.fail(`the ${role} model's worker stopped: ${message}`));
  return {
    api: guardedApi(Comlink.wrap<ModelWorkerApi>(worker), end.guard),
    terminate: (why) => {
      end.fail(`the ${role} model's worker stopped: ${why ?? 'terminated'}`);
      worker.terminate();
    },
    stopped: end.stopped,
  };
}

/**
 * The one-worker placement: spawn(role) hands out the models of one worker until it dies or
 * already holds that role; then a new worker starts (a reload after a crash loads all three into it).
 * Ending one model's handle disposes only that model while the others live; the last one ends the worker.
 */
export function oneWorkerSpawner(): (role: ModelRole) => ModelHandle {
  let current: ModelsWorker | null = null;
  return (role) => {
    if (!current || current.dead || current.roles.has(role)) current = startShared();
    return current.handle(role);
  };
}

/** The one-worker placement's worker and the roles it holds now. */
interface ModelsWorker {
  dead: boolean;
  roles: Set<ModelRole>;
  handle(role: ModelRole): ModelHandle;
}

function startShared(): ModelsWorker {
  const worker = new Worker(new URL('../trio.worker.ts', import.meta.url), { type: 'module', name: 'models' });
  const remote = Comlink.wrap<TrioWorkerApi>(worker);
  const ends = new Map<ModelRole, ReturnType<typeof ending>>();
  const shared: ModelsWorker = {
    dead: false,
    roles: new Set(),
    handle(role) {
      const end = ending();
      ends.set(role, end);
      shared.roles.add(role);
      return {
        api: guardedApi(remote[role], end.guard),
        terminate: (why) => {
          if (!shared.roles.delete(role)) return;
          end.fail(why ?? `the ${role} model was unloaded from the models' worker`);
          if (shared.roles.size > 0 && !shared.dead) void remote[role].dispose().catch(() => undefined);
          else {
            shared.dead = true;
            worker.terminate();
          }
        },
        stopped: end.stopped,
      };
    },
  };
  onDeath(worker, (message) => {
    shared.dead = true;
    const held = [...shared.roles].join(', ');
    for (const [role, end] of ends) end.fail(`the models' worker stopped (it held the ${held} models; this call was the ${role} model's): ${message}`);
  });
  return shared;
}

function onDeath(worker: Worker, died: (message: string) => void): void {
  worker.addEventListener('error', (ev) => died(ev.message || 'uncaught error'));
  worker.addEventListener('messageerror', () => died('a message could not be deserialised'));
}

/** A model's end: once failed, every pending and later call rejects with WorkerCrashedError. */
function ending() {
  let error: Error | null = null;
  let reject: ((e: Error) => void) | null = null;
  const death = new Promise<never>((_, r) => {
    reject = r;
  });
  death.catch(() => undefined);
  return {
    fail(message: string) {
      if (error) return;
      error = new Error(message);
      error.name = 'WorkerCrashedError';
      reject?.(error);
    },
    guard: <T>(p: Promise<T>): Promise<T> => Promise.race([p, death]),
    stopped: (): Error | null => error,
  };
}

function guardedApi(remote: Comlink.Remote<ModelWorkerApi>, guard: <T>(p: Promise<T>) => Promise<T>): ModelWorkerApi {
  return {
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
}
