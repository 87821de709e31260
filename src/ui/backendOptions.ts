/** The backend choices as the app's and the models page's Backend controls show them. */
import type { BackendChoice } from '../core/protocol';
import type { SegmentOption } from './Segmented';

export const BACKEND_OPTIONS: readonly SegmentOption<BackendChoice>[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'wasm', label: 'WASM' },
];
