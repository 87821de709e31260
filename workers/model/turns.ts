/**
 * Calls into one onnxruntime instance, one at a time in the order they arrive: the one-worker
 * placement's three models share it, and their runs must not interleave (the coordinator sends a
 * step to all three at once; they run one after another, each with every core).
 */
import type { ModelWorkerApi } from '../../src/core/protocol';

export class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  take<T>(f: () => Promise<T>): Promise<T> {
    const p = this.tail.then(f);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

/** `api` with every call waiting for its turn. */
export function inTurns(api: ModelWorkerApi, turns: Turns): ModelWorkerApi {
  return {
    load: (spec, options, onProgress) => turns.take(() => api.load(spec, options, onProgress)),
    measure: (req) => turns.take(() => api.measure(req)),
    prefill: (req) => turns.take(() => api.prefill(req)),
    step: (tokens) => turns.take(() => api.step(tokens)),
    extend: (req) => turns.take(() => api.extend(req)),
    prefillRaw: (req) => turns.take(() => api.prefillRaw(req)),
    preprocess: (image) => turns.take(() => api.preprocess(image)),
    reset: () => turns.take(() => api.reset()),
    stats: () => turns.take(() => api.stats()),
    decode: (ids) => turns.take(() => api.decode(ids)),
    dispose: () => turns.take(() => api.dispose()),
    injectFault: (steps, kind) => turns.take(() => api.injectFault(steps, kind)),
  };
}
