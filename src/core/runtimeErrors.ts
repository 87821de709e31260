/**
 * Model-call failures after which onnxruntime's state is unknown. Once an allocation has failed in
 * its WebAssembly heap, or a C++ exception unwound through it, later calls of the same worker fail
 * too — even with tiny inputs and other sessions ("ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc"
 * on every run, observed) — so the model is stopped and its worker replaced on Load again.
 * Errors of our own making (bad input shapes: ERROR_CODE 2) leave the runtime as it was.
 */
import type { ModelRole } from './presets';

export type RuntimeFailure = 'out-of-memory' | 'runtime';

const OUT_OF_MEMORY = [
  /bad_alloc/i,
  /out of memory/i,
  /Integer overflow/i, // a tensor size past 4 GiB (SafeInt in onnxruntime's allocation sizes)
  /Array buffer allocation failed/i,
  /Maximum memory size exceeded/i,
  /Cannot enlarge memory/i,
  /failed to allocate/i,
  /Aborted\(OOM\)/i,
];

/** onnxruntime's error codes that mean a failure inside the runtime (not a rejected input). */
const ORT_RUNTIME_CODES = new Set([1, 5, 6, 11]);

const RUNTIME = [/memory access out of bounds/i, /\bunreachable\b/i, /Aborted\(/i, /RuntimeError/];

/** What kind of failure a model call's error is, or null when it leaves the runtime as it was. */
export function classifyRuntimeError(e: unknown): RuntimeFailure | null {
  const name = e instanceof Error ? e.name : '';
  const message = e instanceof Error ? e.message : String(e);
  const text = `${name}: ${message}`;
  if (OUT_OF_MEMORY.some((re) => re.test(text))) return 'out-of-memory';
  if (name === 'RuntimeError' || RUNTIME.some((re) => re.test(text))) return 'runtime';
  const code = /failed to call OrtRun\(\)\. ERROR_CODE: (\d+)/.exec(message)?.[1];
  if (code !== undefined && ORT_RUNTIME_CODES.has(Number(code))) return 'runtime';
  return null;
}

/** What the model was doing, in the words of the message. */
export type ModelCall = 'prompt' | 'step' | 'extension' | 'image';

const DOING: Record<ModelCall, string> = {
  prompt: 'reading the prompt',
  step: 'generating',
  extension: 'reading the full-resolution image',
  image: 'preparing the image',
};

/** The runtime's own words, first line only, without onnxruntime's wrapper. */
function cause(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const inner = /ERROR_MESSAGE: ([^\n]*)/.exec(message)?.[1] ?? message.split('\n')[0] ?? message;
  return inner.replace(/^.*?(std::bad_alloc|Integer overflow).*$/, '$1').trim();
}

/**
 * A fatal runtime failure as the error the engine and the page understand (OutOfMemoryError or
 * ModelRuntimeError, both fatal: the model is shown stopped), in plain words; null for other errors.
 */
export function runtimeFailureError(e: unknown, role: ModelRole, name: string, call: ModelCall): Error | null {
  const kind = classifyRuntimeError(e);
  if (!kind) return null;
  const what = kind === 'out-of-memory' ? 'ran out of memory' : 'failed inside onnxruntime';
  const err = new Error(
    `The ${role} model (${name}) ${what} while ${DOING[call]} and was stopped: its runtime cannot be trusted after this. ` +
      `Load again gives it a fresh one${kind === 'out-of-memory' ? '; a shorter question, a smaller image or fewer new tokens need less memory' : ''}. ` +
      `(onnxruntime: ${cause(e)})`,
  );
  err.name = kind === 'out-of-memory' ? 'OutOfMemoryError' : 'ModelRuntimeError';
  return err;
}
