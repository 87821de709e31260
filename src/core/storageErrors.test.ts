import { describe, expect, it } from 'vitest';
import { describeStorageFailure, storageTrouble } from './storageErrors';

const dom = (name: string, message: string) => new DOMException(message, name);

describe('storage failures', () => {
  it('tells full storage from storage the browser does not allow', () => {
    expect(storageTrouble(dom('QuotaExceededError', 'The quota has been exceeded.'))).toBe('full');
    expect(storageTrouble(dom('SecurityError', 'The operation is insecure.'))).toBe('unavailable');
    expect(
      storageTrouble(
        dom(
          'InvalidStateError',
          'A mutation operation was attempted on a database that did not allow mutations.',
        ),
      ),
    ).toBe('unavailable');
    expect(storageTrouble(new ReferenceError('indexedDB is not defined'))).toBe('unavailable');
    expect(storageTrouble(new TypeError('x is not a function'))).toBe('other');
  });

  it('says what failed, what it means, and keeps the browser’s words', () => {
    expect(
      describeStorageFailure('This run could not be saved to the history', dom('QuotaExceededError', 'full')),
    ).toBe(
      'This run could not be saved to the history: browser storage is full; delete saved runs or models (Models → Models in browser storage) to make room (QuotaExceededError: full)',
    );
    expect(describeStorageFailure('Not saved', dom('QuotaExceededError', ''))).toMatch(
      /to make room \(QuotaExceededError\)$/,
    );
    expect(describeStorageFailure('The history could not be read', new TypeError('boom'))).toBe(
      'The history could not be read: TypeError: boom',
    );
  });
});
