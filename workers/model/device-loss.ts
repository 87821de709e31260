/**
 * WebGPU device loss (a driver reset, a GPU process crash, the OS reclaiming the GPU): every later
 * call of this model fails at once with a GpuDeviceLostError that says what happened, instead of
 * hanging on a buffer that will never map or failing with an opaque onnxruntime message.
 */
import { env } from '@huggingface/transformers';
import type { ModelRole } from '../../src/core/presets';

export class DeviceWatch {
  private lost: Error | null = null;
  private rejectLost: (e: Error) => void = () => undefined;
  private readonly lostPromise = new Promise<never>((_, reject) => {
    this.rejectLost = reject;
  });

  constructor(private readonly role: ModelRole) {
    this.lostPromise.catch(() => undefined);
  }

  /** Starts watching the device onnxruntime created for this worker's sessions. */
  async attach(): Promise<void> {
    const device = await env.backends.onnx.webgpu?.device;
    void device?.lost.then((info) => {
      const why = info.message ? `${info.reason}: ${info.message}` : info.reason;
      const e = new Error(
        `The GPU device of the ${this.role} model was lost (${why}). The text generated so far is kept; load the models again to continue.`,
      );
      e.name = 'GpuDeviceLostError';
      this.lost = e;
      this.rejectLost(e);
    });
  }

  /** The call's result, or the device loss if that comes first (or came before). */
  guard<T>(p: Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return Promise.race([p, this.lostPromise]);
  }

  /** Diagnostics: lose the device the way a driver reset would (`destroy()` resolves `lost`). */
  async destroyDevice(): Promise<void> {
    const device = await env.backends.onnx.webgpu?.device;
    if (!device) throw new Error('no WebGPU device to lose: this model runs on WASM');
    device.destroy();
  }
}
