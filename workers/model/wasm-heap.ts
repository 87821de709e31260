/**
 * onnxruntime-web's WebAssembly memory in this model worker. onnxruntime's glue creates it with
 * `new WebAssembly.Memory(…)` when the first session is made, and grows it with `grow()` when its
 * allocator needs more; it never shrinks, so its size is the worker's high-water mark. Watching the
 * constructor and `grow()` tells the engine what the model already uses (after load) and the bench
 * what a prefill really needed. No public onnxruntime API exposes this memory.
 *
 * For diagnostics the memory can be made unable to grow, as when the system refuses a tab more
 * memory: the next allocation that needs more then fails inside onnxruntime's allocator, a real
 * std::bad_alloc rather than a simulated error.
 */

/** wasm32: 65,536 pages of 64 KiB, the maximum onnxruntime-web declares for its memory. */
export const WASM32_LIMIT_BYTES = 65536 * 65536;

const memories: WebAssembly.Memory[] = [];
let frozen = false;
let cap = WASM32_LIMIT_BYTES;
let installed = false;

/** Installs the watch; call before onnxruntime creates its first session. Idempotent. */
export function watchWasmHeap(): void {
  if (installed || typeof WebAssembly === 'undefined') return;
  installed = true;
  const Native = WebAssembly.Memory;
  const remember = (m: WebAssembly.Memory) => {
    if (!memories.includes(m)) memories.push(m);
  };
  WebAssembly.Memory = new Proxy(Native, {
    construct(target, args: [WebAssembly.MemoryDescriptor], newTarget) {
      const m: WebAssembly.Memory = Reflect.construct(target, args, newTarget);
      remember(m);
      return m;
    },
  });
  const grow = Native.prototype.grow;
  Native.prototype.grow = function (this: WebAssembly.Memory, delta: number): number {
    // What WebAssembly throws when the engine cannot reserve more; Emscripten's allocator treats it
    // as a failed growth and malloc returns null.
    const over = this.buffer.byteLength + delta * 65536 > cap;
    if (delta > 0 && (frozen || over)) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    remember(this);
    return grow.call(this, delta);
  };
}

/** The largest watched memory's size in bytes (onnxruntime's heap), or null before it exists. */
export function wasmHeapBytes(): number | null {
  let max: number | null = null;
  for (const m of memories) max = Math.max(max ?? 0, m.buffer.byteLength);
  return max;
}

/** Diagnostics: from now on the heap cannot grow (see the module comment). */
export function freezeWasmHeap(): void {
  frozen = true;
}

/**
 * Caps the heap at `mib` MiB (LoadOptions.memoryLimitMB), or lifts the cap; returns the limit the
 * engine plans with. Without a WebAssembly heap (onnxruntime-node) a given cap is planned with but
 * not enforced, and no cap means no limit (null). Emscripten asks for some headroom when it grows,
 * so allocations may fail a few percent below the cap.
 */
export function capWasmHeap(mib: number | undefined): number | null {
  if (mib !== undefined && !(mib > 0)) throw new RangeError(`memoryLimitMB must be a positive number, got ${mib}`);
  cap = mib === undefined ? WASM32_LIMIT_BYTES : Math.min(WASM32_LIMIT_BYTES, Math.round(mib * 2 ** 20));
  return installed || mib !== undefined ? cap : null;
}
