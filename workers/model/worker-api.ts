/**
 * One model's API as a worker exposes it: the model host, with device-loss watching, plain-words
 * runtime failures and fault injection. A model worker exposes one; the one-worker placement's
 * worker (../trio.worker.ts) one per role.
 */
import type { FaultKind, ModelSpecifier, ModelWorkerApi } from '../../src/core/protocol';
import { runtimeFailureError, type ModelCall } from '../../src/core/runtimeErrors';
import { DeviceWatch } from './device-loss';
import { ModelHost } from './host';
import { freezeWasmHeap } from './wasm-heap';

export function createModelApi(): ModelWorkerApi {
  const host = new ModelHost();
  let watch: DeviceWatch | null = null;
  let fault: { in: number; kind: FaultKind } | null = null;
  let loaded: Pick<ModelSpecifier, 'role' | 'name'> | null = null;

  /**
   * Device loss turns every model call into a clear error (see device-loss.ts); an onnxruntime
   * failure that leaves its state unknown (out of memory…) into a fatal one in plain words.
   */
  async function guarded<T>(call: ModelCall, p: Promise<T>): Promise<T> {
    try {
      return await (watch ? watch.guard(p) : p);
    } catch (e) {
      throw (loaded && runtimeFailureError(e, loaded.role, loaded.name, call)) ?? e;
    }
  }

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
    return guarded('step', host.step(tokens));
  }

  return {
    load: async (spec, options, onProgress) => {
      const info = await host.load(spec, options, onProgress);
      loaded = spec;
      watch = null;
      if (info.backend === 'webgpu') {
        watch = new DeviceWatch(spec.role);
        await watch.attach();
      }
      return info;
    },
    measure: (req) => host.measure(req),
    prefill: (req) => guarded('prompt', host.prefill(req)),
    step,
    extend: (req) => guarded('extension', host.extend(req)),
    prefillRaw: (req) => guarded('prompt', host.prefillRaw(req)),
    preprocess: (image) => guarded('image', host.preprocess(image)),
    reset: () => host.reset(),
    stats: () => host.stats(),
    decode: (ids) => host.decode(ids),
    dispose: () => host.dispose(),
    injectFault: async (steps, kind) => {
      if (kind === 'device-lost' && !watch) throw new Error('device-lost fault needs a model on WebGPU');
      // The heap stops growing now: the next allocation that needs more fails inside onnxruntime.
      if (kind === 'out-of-memory') return freezeWasmHeap();
      fault = { in: steps, kind };
    },
  };
}
