/** A loaded model's info for the state tests (a tiny model on WASM). */
import type { ModelInfo } from '../core/protocol';

export function modelInfo(role: ModelInfo['role'], over: Partial<ModelInfo> = {}): ModelInfo {
  return {
    role,
    name: `tiny-${role}`,
    backend: 'wasm',
    dtype: 'fp32',
    family: 'qwen2_5_vl',
    vocabRows: 1088,
    tokenizerSize: 1030,
    tokenizerFingerprint: 'f',
    eosIds: [1],
    loadMs: 10,
    kvLocation: 'cpu',
    imageProcessorKey: null,
    sizes: null,
    memory: { heapLimit: 4 * 2 ** 30, resident: 16 * 2 ** 20, heapAfterLoad: 16 * 2 ** 20, gpuMaxBuffer: null },
    ...over,
  };
}
