/**
 * The one-worker placement: the three models of a trio in one worker, one onnxruntime instance with
 * every core, exposed over comlink as one model API per role. Their calls take turns (./model/turns.ts).
 */
import * as Comlink from 'comlink';
import type { ModelWorkerApi } from '../src/core/protocol';
import type { ModelRole } from '../src/core/presets';
import { createModelApi } from './model/worker-api';
import { inTurns, Turns } from './model/turns';
import { watchWasmHeap } from './model/wasm-heap';

// Before onnxruntime creates its heap (at the first session): the engine plans with its size.
watchWasmHeap();

/** What the coordinator sees: a model API per role (proxy-marked, so comlink types them as remote objects). */
export type TrioWorkerApi = Record<ModelRole, ModelWorkerApi & Comlink.ProxyMarked>;

const turns = new Turns();
const api: TrioWorkerApi = {
  base: Comlink.proxy(inTurns(createModelApi(), turns)),
  expert: Comlink.proxy(inTurns(createModelApi(), turns)),
  amateur: Comlink.proxy(inTurns(createModelApi(), turns)),
};
Comlink.expose(api);
