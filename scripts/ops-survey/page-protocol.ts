/** What the Node side asks the survey page to run, and what comes back (plain JSON). */
import type { Timing } from './run-graph';
import type { WireType } from './wire';

export type WebBackend = 'wasm' | 'webgpu';

export interface PageRequest {
  id: string;
  backend: WebBackend;
  threads: number;
  timing: Timing;
  /** Model URLs by graph kind. */
  graphs: { kind: 'candidate' | 'baseline'; url: string }[];
  inputs: { name: string; type: WireType; dims: number[]; url: string }[];
  outputs: string[];
}

export interface PageTensor {
  name: string;
  type: WireType;
  dims: number[];
  b64: string;
}

export type PageRun =
  | { ok: true; createMs: number; runMs: number[]; outputs: PageTensor[] }
  | { ok: false; stage: 'create' | 'run'; error: string };

export interface PageGraphResult {
  kind: 'candidate' | 'baseline';
  run: PageRun;
  /** onnxruntime's log lines written while the session was created. */
  log: string[];
}
