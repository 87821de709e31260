import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { readImageSize } from './imageSize';

describe('readImageSize', () => {
  it('reads a PNG header', () => {
    const png = new PNG({ width: 37, height: 5 });
    const bytes = new Uint8Array(PNG.sync.write(png));
    expect(readImageSize(bytes)).toEqual({ width: 37, height: 5 });
  });

  it('reads large PNG dimensions from the header alone', () => {
    const head = new Uint8Array(24);
    head.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(head.buffer).setUint32(16, 8000);
    new DataView(head.buffer).setUint32(20, 8000);
    expect(readImageSize(head)).toEqual({ width: 8000, height: 8000 });
  });

  it('reads a JPEG SOF after an APP segment', () => {
    // SOI, APP0 (length 16), SOF0 with height 300, width 400.
    const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array<number>(14).fill(0)];
    const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x01, 0x90, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(readImageSize(new Uint8Array([0xff, 0xd8, ...app0, ...sof0]))).toEqual({
      width: 400,
      height: 300,
    });
  });

  it('reads GIF and BMP headers', () => {
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x20, 0x03, 0x58, 0x02]);
    expect(readImageSize(gif)).toEqual({ width: 800, height: 600 });
    const bmp = new Uint8Array(26);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 640, true);
    new DataView(bmp.buffer).setInt32(22, -480, true); // top-down bitmap
    expect(readImageSize(bmp)).toEqual({ width: 640, height: 480 });
  });

  it('reads a WebP VP8X header', () => {
    const b = new Uint8Array(30);
    b.set(
      [...'RIFF'].map((c) => c.charCodeAt(0)),
      0,
    );
    b.set(
      [...'WEBPVP8X'].map((c) => c.charCodeAt(0)),
      8,
    );
    b.set([0x1f, 0x03, 0x00], 24); // width − 1 = 799
    b.set([0x57, 0x02, 0x00], 27); // height − 1 = 599
    expect(readImageSize(b)).toEqual({ width: 800, height: 600 });
  });

  it('returns null for text or truncated data', () => {
    expect(readImageSize(new TextEncoder().encode('hello, not an image'))).toBeNull();
    expect(readImageSize(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeNull();
    expect(readImageSize(new Uint8Array([0xff, 0xd8, 0xff]))).toBeNull();
    expect(readImageSize(new Uint8Array(0))).toBeNull();
  });
});
