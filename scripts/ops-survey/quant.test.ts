import { describe, expect, it } from 'vitest';
import { dequantizeRowsQ4, quantizeRowsQ4 } from '../../src/convert/quantize';
import { randomWeights } from '../models/rng';
import { codeAt, dequantize4, quantize4, signedNibbles, transpose, uint4RowMajor } from './quant';

const K = 256;
const N = 24;
const W = randomWeights(K * N, 0.05, 7);

describe('4-bit block quantization', () => {
  for (const zeroPoints of [false, true]) {
    it(`matches the converter's q4 at block 32 byte for byte (zero points ${zeroPoints})`, () => {
      const mine = quantize4(W, K, N, { block: 32, zeroPoints });
      const theirs = quantizeRowsQ4(transpose(W, K, N), N, K, zeroPoints);
      expect(Array.from(mine.packed)).toEqual(Array.from(theirs.packed));
      expect(Array.from(mine.scales)).toEqual(Array.from(theirs.scales));
      if (zeroPoints) expect(Array.from(mine.zerosPacked)).toEqual(Array.from(theirs.zeros ?? []));
      expect(Array.from(transpose(dequantize4(mine), K, N))).toEqual(
        Array.from(dequantizeRowsQ4(theirs, N, K)),
      );
    });
  }

  for (const zeroPoints of [false, true]) {
    for (const block of [32, 128]) {
      // Symmetric blocks put the largest magnitude on code 0 (−8 steps), so the opposite extreme may clip
      // by up to one step (onnxruntime's convention); asymmetric ones stay within half a step.
      const steps = zeroPoints ? 0.5 : 1;
      it(`stays within ${steps} step of W (block ${block}, zero points ${zeroPoints})`, () => {
        const q = quantize4(W, K, N, { block, zeroPoints });
        const d = dequantize4(q);
        for (let row = 0; row < K; row++) {
          for (let col = 0; col < N; col++) {
            const scale = Math.abs(q.scales[col * q.blocks + Math.floor(row / block)] ?? 0);
            expect(Math.abs((d[row * N + col] ?? 0) - (W[row * N + col] ?? 0))).toBeLessThanOrEqual(
              scale * steps + 1e-7,
            );
          }
        }
      });
    }
  }

  it('packs zero points two per byte, low nibble first', () => {
    const q = quantize4(W, K, N, { block: 32, zeroPoints: true });
    const perRow = Math.ceil(q.blocks / 2);
    for (let col = 0; col < N; col++) {
      for (let b = 0; b < q.blocks; b++) {
        const byte = q.zerosPacked[col * perRow + (b >> 1)] ?? 0;
        expect(b % 2 === 0 ? byte & 15 : byte >> 4).toBe(q.zeros[col * q.blocks + b]);
      }
    }
    expect(new Set(q.zeros).size).toBeGreaterThan(1);
  });

  it('lays codes out as uint4 [K, N] and int4 [N, K]', () => {
    const q = quantize4(W, K, N, { block: 32, zeroPoints: false });
    const u4 = uint4RowMajor(q);
    const s4 = signedNibbles(q);
    const nib = (bytes: Uint8Array, i: number): number => ((bytes[i >> 1] ?? 0) >> (i % 2 ? 4 : 0)) & 15;
    for (const [row, col] of [
      [0, 0],
      [5, 3],
      [K - 1, N - 1],
      [77, 11],
    ] as const) {
      expect(nib(u4.data, row * N + col)).toBe(codeAt(q, row, col));
      const signed = nib(s4, col * K + row);
      expect(signed >= 8 ? signed - 16 : signed).toBe(codeAt(q, row, col) - 8);
      expect(u4.scales[Math.floor(row / 32) * N + col]).toBe(q.scales[col * q.blocks + Math.floor(row / 32)]);
    }
  });

  it('transposes', () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(transpose(m, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('rejects a K that is not a whole number of blocks', () => {
    expect(() => quantize4(new Float32Array(40 * 2), 40, 2, { block: 32, zeroPoints: false })).toThrow(
      /multiple of block/,
    );
  });
});
