import { describe, expect, it } from 'vitest';
import { FATAL_MODEL_ERRORS } from './protocol';
import { classifyRuntimeError, runtimeFailureError } from './runtimeErrors';

// onnxruntime-web's messages as seen in the app (issue #18 and this machine).
const BAD_ALLOC = 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc';
const OVERFLOW =
  'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/common/safeint.h:17 static void SafeIntExceptionHandler<onnxruntime::OnnxRuntimeException>::SafeIntOnOverflow() Integer overflow\n';
const BAD_INPUT = 'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Got invalid dimensions for input: attention_mask';

describe('classifyRuntimeError', () => {
  it('an allocation that failed (bad_alloc, a size past 4 GiB, a heap that cannot grow) is out of memory', () => {
    expect(classifyRuntimeError(new Error(BAD_ALLOC))).toBe('out-of-memory');
    expect(classifyRuntimeError(new Error(OVERFLOW))).toBe('out-of-memory');
    expect(classifyRuntimeError(new RangeError('Array buffer allocation failed'))).toBe('out-of-memory');
    expect(classifyRuntimeError(new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'))).toBe('out-of-memory');
  });

  it('a failure inside the runtime (a trap, an exception code) leaves its state unknown', () => {
    const trap = new Error('memory access out of bounds');
    trap.name = 'RuntimeError';
    expect(classifyRuntimeError(trap)).toBe('runtime');
    expect(classifyRuntimeError(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: vector::_M_range_check'))).toBe('runtime');
  });

  it('a rejected input, or an error of our own, leaves the runtime as it was', () => {
    expect(classifyRuntimeError(new Error(BAD_INPUT))).toBeNull();
    expect(classifyRuntimeError(new Error('step() before prefill()'))).toBeNull();
    expect(classifyRuntimeError('not an error')).toBeNull();
  });
});

describe('runtimeFailureError', () => {
  it('says in plain words which model stopped, doing what, and what helps; the runtime’s words last', () => {
    const e = runtimeFailureError(new Error(BAD_ALLOC), 'expert', 'tiny-expert', 'prompt');
    expect(e?.name).toBe('OutOfMemoryError');
    expect(e?.message).toBe(
      'The expert model (tiny-expert) ran out of memory while reading the prompt and was stopped: its runtime cannot be trusted after this. ' +
        'Load again gives it a fresh one; a shorter question, a smaller image or fewer new tokens need less memory. (onnxruntime: std::bad_alloc)',
    );
    expect(runtimeFailureError(new Error(OVERFLOW), 'base', 'tiny-base', 'step')?.message).toMatch(/while generating .*\(onnxruntime: Integer overflow\)$/);
  });

  it('both kinds are fatal: the engine and the page show the model stopped', () => {
    const oom = runtimeFailureError(new Error(BAD_ALLOC), 'base', 'b', 'prompt');
    const trap = runtimeFailureError(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: x'), 'base', 'b', 'extension');
    expect(trap?.name).toBe('ModelRuntimeError');
    expect(trap?.message).toContain('failed inside onnxruntime while reading the full-resolution image');
    for (const e of [oom, trap]) expect(FATAL_MODEL_ERRORS).toContain(e?.name);
    expect(runtimeFailureError(new Error(BAD_INPUT), 'base', 'b', 'prompt')).toBeNull();
  });
});
