/** A small JPEG data: URL of the input image, stored with each history entry. */
import type { ImagePayload } from '../core/protocol';

export const THUMBNAIL_SIDE = 160;

export async function makeThumbnail(img: ImagePayload, maxSide = THUMBNAIL_SIDE): Promise<string> {
  const full = new OffscreenCanvas(img.width, img.height);
  const fctx = full.getContext('2d');
  if (!fctx) throw new Error('this browser cannot draw images off-screen');
  fctx.putImageData(new ImageData(new Uint8ClampedArray(img.rgba), img.width, img.height), 0, 0);
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const small = new OffscreenCanvas(w, h);
  const sctx = small.getContext('2d');
  if (!sctx) throw new Error('this browser cannot draw images off-screen');
  sctx.fillStyle = '#fff'; // JPEG has no alpha
  sctx.fillRect(0, 0, w, h);
  sctx.drawImage(full, 0, 0, w, h);
  const blob = await small.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  return new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () =>
      typeof r.result === 'string' ? resolve(r.result) : reject(new Error('thumbnail: no data URL'));
    r.onerror = () => reject(r.error ?? new Error('thumbnail: read failed'));
    r.readAsDataURL(blob);
  });
}
