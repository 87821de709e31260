/** One VLM per worker: the model host exposed over comlink to the coordinator. */
import * as Comlink from 'comlink';
import { createModelApi } from './model/worker-api';
import { watchWasmHeap } from './model/wasm-heap';

// Before onnxruntime creates its heap (at the first session): the engine plans with its size.
watchWasmHeap();

Comlink.expose(createModelApi());
