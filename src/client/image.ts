/** Turning a user's file into the pixels the models read, with clear messages for bad input. */
import type { ImagePayload } from '../core/protocol';

/** Larger images are scaled down here first (the processor resizes to its max_pixels anyway). */
export const MAX_SIDE = 4096;
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

export async function imageFromBlob(blob: Blob, label = 'the file'): Promise<ImagePayload> {
  if (blob.size === 0) throw new ImageInputError(`${label} is empty (0 bytes)`);
  if (blob.size > MAX_FILE_BYTES) throw new ImageInputError(`${label} is ${(blob.size / 1e6).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 1e6} MB`);
  if (blob.type && !blob.type.startsWith('image/')) throw new ImageInputError(`${label} is not an image (${blob.type})`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new ImageInputError(`${label} could not be decoded as an image`);
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ImageInputError('this browser cannot draw images off-screen');
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const digest = await crypto.subtle.digest('SHA-256', rgba);
  const key = Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
  return { width, height, rgba, key };
}
