/** Loading one VLM with transformers.js: where files come from, which backend and dtype. */
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  Qwen2VLForConditionalGeneration,
  env,
  type PreTrainedModel,
  type Processor,
} from '@huggingface/transformers';
import { fallbackDtype, sourceDtype, type Dtype } from '../core/presets';
import type { FileProgress, LoadOptions, LoadPhase, ModelSpecifier } from '../core/protocol';
import { chooseBackend, inBrowser, type BackendOutcome } from './backend';
import { prepareSource } from './sources';

/**
 * Resolves the model id and configures transformers.js' file locations for the source kind (hub or
 * mirror, folder URL, picked folder); see ./sources.
 */
export function locate(spec: ModelSpecifier): { id: string; revision?: string } {
  const { id, revision } = prepareSource(spec);
  return { id, ...(revision ? { revision } : {}) };
}

/** onnxruntime's runtime files come from our own origin (/ort/), never a CDN. */
export function serveRuntimeFromOwnOrigin(): void {
  env.allowRemoteModels = false;
  if (!inBrowser()) return;
  const wasm = env.backends.onnx.wasm;
  if (wasm) wasm.wasmPaths = new URL('/ort/', location.href).href;
}

/**
 * onnxruntime session options on WASM/CPU: idle intra-op threads block instead of spinning, so a
 * model worker between its steps leaves the cores to the one stepping (the engine's stepping orders
 * run the models one after another on the same cores; see src/core/schedule.ts).
 */
const CPU_SESSION = { extra: { session: { intra_op: { allow_spinning: '0' } } } };

export interface LoadedModel {
  model: Qwen2VLForConditionalGeneration;
  processor: Processor;
  backend: BackendOutcome;
  dtype: Dtype | Record<string, Dtype>;
}

export async function loadModel(
  spec: ModelSpecifier,
  options: LoadOptions,
  onProgress: (p: FileProgress | { role: ModelSpecifier['role']; phase: LoadPhase }) => void,
): Promise<LoadedModel> {
  serveRuntimeFromOwnOrigin();
  const wasm = env.backends.onnx.wasm;
  if (wasm && options.wasmThreads) wasm.numThreads = options.wasmThreads;
  const backend = await chooseBackend(options.backend);
  const wanted = options.dtype ?? sourceDtype(spec.source, backend.backend);
  const dtype = typeof wanted === 'string' ? fallbackDtype(wanted, backend.shaderF16) : mapValues(wanted, (d) => fallbackDtype(d, backend.shaderF16));
  // Failed files are reported as progress events carrying the failure.
  const source = prepareSource(spec);
  const { id, revision } = source;
  const progress_callback = source.progress(onProgress);
  onProgress({ role: spec.role, phase: 'download' });
  let processor: Processor;
  let model: PreTrainedModel;
  try {
    processor = await AutoProcessor.from_pretrained(id, { progress_callback, ...(revision ? { revision } : {}) });
    model = await AutoModelForImageTextToText.from_pretrained(id, {
      dtype,
      // Outside the browser (Node tests, CLI helpers) onnxruntime's CPU provider stands in for WASM.
      device: backend.backend === 'wasm' && !inBrowser() ? 'cpu' : backend.backend,
      ...(backend.backend === 'wasm' ? { session_options: CPU_SESSION } : {}),
      progress_callback,
      ...(revision ? { revision } : {}),
    });
  } catch (e) {
    throw source.explain(e);
  }
  if (!(model instanceof Qwen2VLForConditionalGeneration)) {
    await model.dispose();
    throw new Error(`${spec.name}: model type "${model.config.model_type}" is not a Qwen2-VL-family model (qwen2_5_vl, qwen3_vl)`);
  }
  onProgress({ role: spec.role, phase: 'compile' });
  return { model, processor, backend, dtype };
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
