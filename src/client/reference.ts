/**
 * Page side of the benchmark's reference: transformers.js `generate()` on one model in its own
 * worker (created on first use, never by the app itself).
 */
import * as Comlink from 'comlink';
import type { Backend, ImagePayload } from '../core/protocol';
import type { Dtype } from '../core/presets';
import { imageFromBlob } from './image';

export interface ReferenceRequest {
  /** Folder URL of one model (same layout as the presets' folders). */
  modelUrl: string;
  backend: Backend;
  dtype?: Dtype;
  wasmThreads?: number;
  question: string;
  /** Same-origin image URL, or null for text only. */
  imageUrl: string | null;
  maxNewTokens: number;
}

export interface ReferenceResult {
  backend: Backend;
  prompt_ids: number[];
  token_ids: number[];
  text: string;
  /** 0 when the model was already loaded by an earlier call with the same URL, backend, dtype, threads. */
  load_ms: number;
  /** generate() call → first generated token (prefill + first forward). */
  first_token_ms: number;
  /** Time between consecutive generated tokens (one decoder step each). */
  step_ms: number[];
  total_ms: number;
}

export interface ReferenceWorkerApi {
  generate(req: ReferenceRequest, image: ImagePayload | null): Promise<ReferenceResult>;
  dispose(): Promise<void>;
}

let worker: Worker | null = null;
let remote: Comlink.Remote<ReferenceWorkerApi> | null = null;

export async function referenceGenerate(req: ReferenceRequest): Promise<ReferenceResult> {
  let image: ImagePayload | null = null;
  if (req.imageUrl) {
    const res = await fetch(req.imageUrl);
    if (!res.ok) throw new Error(`image ${req.imageUrl}: HTTP ${res.status}`);
    image = await imageFromBlob(await res.blob(), req.imageUrl);
  }
  if (!remote) {
    worker = new Worker(new URL('./reference.worker.ts', import.meta.url), {
      type: 'module',
      name: 'reference',
    });
    remote = Comlink.wrap<ReferenceWorkerApi>(worker);
  }
  return remote.generate(req, image ? Comlink.transfer(image, [image.rgba.buffer]) : null);
}

export async function referenceDispose(): Promise<void> {
  await remote?.dispose().catch(() => undefined);
  worker?.terminate();
  worker = null;
  remote = null;
}
