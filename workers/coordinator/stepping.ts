/** One decode step of a run's models in the trio's stepping order (src/core/protocol.ts `Stepping`). */
import type { ModelRole } from '../../src/core/presets';
import type { Stepping } from '../../src/core/protocol';

/** Every model's result, in the order of `roles`; a model that fails does not stop the others. */
export async function stepModels<T>(
  stepping: Stepping,
  roles: readonly ModelRole[],
  step: (role: ModelRole) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  if (stepping === 'concurrent') return Promise.allSettled(roles.map(step));
  const out = new Map<ModelRole, PromiseSettledResult<T>>();
  const settle = async (role: ModelRole) => out.set(role, (await Promise.allSettled([step(role)]))[0] as PromiseSettledResult<T>);
  if (stepping === 'sequential') {
    for (const role of roles) await settle(role);
  } else {
    // The base model alone with every core, then the smaller models side by side.
    if (roles.includes('base')) await settle('base');
    await Promise.all(roles.filter((r) => r !== 'base').map(settle));
  }
  return roles.map((r) => out.get(r) as PromiseSettledResult<T>);
}
