/**
 * Which backend a load will use, decided once for the model workers and the page's download plan
 * alike: WebGPU when the browser offers an adapter (f16 with `shader-f16`), else WASM with the reason.
 * No transformers.js here, so the page can import it.
 */
import type { Backend, LoadOptions } from '../core/protocol';

export interface BackendOutcome {
  backend: Backend;
  reason?: string;
  shaderF16: boolean;
}

/** A browser with WebGPU's API (navigator.gpu); Node and plain workers without it are not. */
export const inBrowser = (): boolean => typeof navigator !== 'undefined' && typeof location !== 'undefined' && 'gpu' in navigator;

/**
 * The backend for `wanted`. WebGPU asked for without an adapter throws (the load cannot do what was
 * asked) unless `strict` is false, as for a download plan, which then plans for WASM.
 */
export async function chooseBackend(wanted: LoadOptions['backend'], strict = true): Promise<BackendOutcome> {
  if (wanted === 'wasm') return { backend: 'wasm', reason: 'WASM was requested', shaderF16: false };
  if (!inBrowser()) return { backend: 'wasm', reason: 'no WebGPU outside the browser (onnxruntime CPU)', shaderF16: false };
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) {
    if (wanted === 'webgpu' && strict) throw new Error('WebGPU was requested but this browser offers no WebGPU adapter');
    return { backend: 'wasm', reason: 'this browser offers no WebGPU adapter', shaderF16: false };
  }
  return { backend: 'webgpu', shaderF16: adapter.features.has('shader-f16') };
}
