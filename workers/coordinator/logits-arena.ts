/**
 * Where a run's logits live: one shared memory holding every model's rows, each stream's merged row
 * and a row of zeros, so the merge kernel (src/core/mergeKernel.ts) reads what the workers wrote
 * with no copy. Without WebAssembly SIMD or shared WebAssembly memory, plain SharedArrayBuffers and
 * the JavaScript merge (src/core/merge.ts) do the same work, more slowly.
 */
import { createMergeKernel, type MergeKernel, type Ptr } from '../../src/core/mergeKernel';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';

export interface ArenaNeeds {
  /** Rows × lm_head rows per model of the run. */
  models: Partial<Record<ModelRole, { rows: number; vocabRows: number }>>;
  streams: number;
  vocab: number;
}

export interface ModelRegion {
  buffer: SharedArrayBuffer;
  /** Byte offset of the model's first row. */
  offset: number;
  view: Float32Array;
}

export interface ArenaLayout {
  kernel: MergeKernel | null;
  models: Partial<Record<ModelRole, ModelRegion>>;
  /** Each stream's merged row: its byte offset in the kernel's memory (null without a kernel) and a view. */
  out: { ptr: Ptr | null; view: Float32Array }[];
  /** A row of `vocab` zeros in the kernel's memory: the amateur of b + α·e. */
  zeros: Ptr | null;
  /** Per model: an Int32 its worker increments as each decode step begins (byte offset, and a view for Atomics). */
  signals: Partial<Record<ModelRole, { offset: number; view: Int32Array }>>;
}

const align = (n: number) => Math.ceil(n / 16) * 16;

export class LogitsArena {
  private kernel: MergeKernel | null = null;
  private readonly plain = new Map<string, SharedArrayBuffer>();
  /** Set when the kernel is not wanted, or once this runtime has failed to make one. */
  private kernelMissing: boolean;

  constructor(useKernel = true) {
    this.kernelMissing = !useKernel;
  }

  /** The layout for a run; memory is reused when it is large enough (never shrunk). */
  layout(needs: ArenaNeeds): ArenaLayout {
    if (this.kernelMissing) return this.plainLayout(needs);
    let at = 0;
    const models: [ModelRole, number, number][] = [];
    for (const role of MODEL_ROLES) {
      const m = needs.models[role];
      if (!m) continue;
      models.push([role, at, m.rows * m.vocabRows]);
      at = align(at + m.rows * m.vocabRows * 4);
    }
    const outs: number[] = [];
    for (let i = 0; i < needs.streams; i++) {
      outs.push(at);
      at = align(at + needs.vocab * 4);
    }
    const zeros = at;
    at = align(at + needs.vocab * 4);
    const signalAt = at;
    at = align(at + MODEL_ROLES.length * 4);
    if (!this.kernel || this.kernel.byteLength < at) this.kernel = createMergeKernel(at);
    const k = this.kernel;
    if (!k) {
      this.kernelMissing = true;
      return this.plainLayout(needs);
    }
    k.f32.fill(0, zeros >> 2, (zeros >> 2) + needs.vocab);
    const region = ([, offset, n]: [ModelRole, number, number]): ModelRegion => ({ buffer: k.buffer, offset, view: new Float32Array(k.buffer, offset, n) });
    return {
      kernel: k,
      models: Object.fromEntries(models.map((m) => [m[0], region(m)])),
      out: outs.map((ptr) => ({ ptr, view: new Float32Array(k.buffer, ptr, needs.vocab) })),
      zeros,
      signals: Object.fromEntries(
        models.map(([role], i) => [role, { offset: signalAt + i * 4, view: new Int32Array(k.buffer, signalAt + i * 4, 1) }]),
      ),
    };
  }

  private plainLayout(needs: ArenaNeeds): ArenaLayout {
    const buffer = (key: string, bytes: number): SharedArrayBuffer => {
      let b = this.plain.get(key);
      if (!b || b.byteLength < bytes) {
        b = new SharedArrayBuffer(bytes);
        this.plain.set(key, b);
      }
      return b;
    };
    const models: Partial<Record<ModelRole, ModelRegion>> = {};
    const signals: ArenaLayout['signals'] = {};
    for (const role of MODEL_ROLES) {
      const m = needs.models[role];
      if (!m) continue;
      // The model's rows, then its step signal.
      const bytes = m.rows * m.vocabRows * 4;
      const b = buffer(role, bytes + 4);
      models[role] = { buffer: b, offset: 0, view: new Float32Array(b, 0, m.rows * m.vocabRows) };
      signals[role] = { offset: bytes, view: new Int32Array(b, bytes, 1) };
    }
    const out = Array.from({ length: needs.streams }, (_, i) => ({ ptr: null, view: new Float32Array(buffer(`out${i}`, needs.vocab * 4), 0, needs.vocab) }));
    return { kernel: null, models, out, zeros: null, signals };
  }
}
