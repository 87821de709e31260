/** One decode step of a run's models in the trio's stepping order (src/core/protocol.ts `Stepping`). */
import type { ModelRole } from '../../src/core/presets';
import type { Stepping } from '../../src/core/protocol';

/** Every model's result, in the order of `roles`; a model that fails does not stop the others. */
export async function stepModels<T>(
  stepping: Stepping,
  roles: readonly ModelRole[],
  step: (role: ModelRole) => Promise<T>,
  /** 'base-lead': called before the base model's step is sent; the returned function blocks until that step has begun. */
  begun?: (role: ModelRole) => () => void,
): Promise<PromiseSettledResult<T>[]> {
  if (stepping === 'concurrent' || (stepping === 'base-lead' && !roles.includes('base'))) return Promise.allSettled(roles.map(step));
  const out: PromiseSettledResult<T>[] = [];
  const settle = async (i: number): Promise<void> => {
    const role = roles[i];
    if (role === undefined) return;
    try {
      out[i] = { status: 'fulfilled', value: await step(role) };
    } catch (reason) {
      out[i] = { status: 'rejected', reason };
    }
  };
  const all = roles.map((_, i) => i);
  if (stepping === 'sequential') {
    for (const i of all) await settle(i);
  } else if (stepping === 'base-lead') {
    // The base model's step is sent alone; the others once it has begun, so that the longest step
    // is not kept waiting for a core by the workers woken with it.
    const base = roles.indexOf('base');
    const wait = begun?.('base');
    const first = settle(base);
    wait?.();
    await Promise.all([first, ...all.filter((i) => i !== base).map(settle)]);
  } else if (stepping === 'base-first') {
    // The base model alone with every core, then the smaller models side by side.
    const base = roles.indexOf('base');
    if (base >= 0) await settle(base);
    await Promise.all(all.filter((i) => i !== base).map(settle));
  } else {
    // The base model beside the smaller ones taking turns: two models at a time, so on few cores
    // the base model (the longest step) is never squeezed by three runnable workers.
    const base = roles.indexOf('base');
    const rest = async (): Promise<void> => {
      for (const i of all) if (i !== base) await settle(i);
    };
    await Promise.all([base >= 0 ? settle(base) : Promise.resolve(), rest()]);
  }
  return out;
}

/** How long 'base-lead' waits, at most, for the base model's step to begin before sending the others. */
const LEAD_WAIT_MS = 3;

/**
 * 'base-lead': reads the base model's step counter before its step is sent; the returned function
 * blocks this thread (a worker, or Node) until the counter moves, at most LEAD_WAIT_MS.
 */
export function leadWait(signal: Int32Array | undefined): () => void {
  if (!signal) return () => undefined;
  const before = Atomics.load(signal, 0);
  return () => {
    try {
      Atomics.wait(signal, 0, before, LEAD_WAIT_MS);
    } catch {
      // A thread that may not block (a page's main thread): send the others at once.
    }
  };
}
