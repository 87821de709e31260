/** One VLM per worker: the model host exposed over comlink to the coordinator. */
import * as Comlink from 'comlink';
import type { FaultKind, ModelWorkerApi } from '../src/core/protocol';
import { DeviceWatch } from './model/device-loss';
import { ModelHost } from './model/host';

const host = new ModelHost();
let watch: DeviceWatch | null = null;
let fault: { in: number; kind: FaultKind } | null = null;

/** Device loss turns every model call into a clear error (see device-loss.ts). */
const guarded = <T>(p: Promise<T>): Promise<T> => (watch ? watch.guard(p) : p);

async function step(tokens: Int32Array) {
  if (fault && --fault.in === 0) {
    const { kind } = fault;
    fault = null;
    if (kind === 'crash') {
      // A real crash: an uncaught error ends up as the Worker's 'error' event in the coordinator.
      setTimeout(() => {
        throw new Error('injected fault: the model worker crashed');
      });
      return new Promise<never>(() => undefined);
    }
    await watch?.destroyDevice();
  }
  return guarded(host.step(tokens));
}

const api: ModelWorkerApi = {
  load: async (spec, options, onProgress) => {
    const info = await host.load(spec, options, onProgress);
    watch = null;
    if (info.backend === 'webgpu') {
      watch = new DeviceWatch(spec.role);
      await watch.attach();
    }
    return info;
  },
  prefill: (req) => guarded(host.prefill(req)),
  step,
  extend: (req) => guarded(host.extend(req)),
  prefillRaw: (req) => guarded(host.prefillRaw(req)),
  preprocess: (image) => guarded(host.preprocess(image)),
  reset: () => host.reset(),
  stats: () => host.stats(),
  decode: (ids) => host.decode(ids),
  dispose: () => host.dispose(),
  injectFault: async (steps, kind) => {
    if (kind === 'device-lost' && !watch) throw new Error('device-lost fault needs a model on WebGPU');
    fault = { in: steps, kind };
  },
};

Comlink.expose(api);
