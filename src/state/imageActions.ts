/** Picking the input image: file picker, drop, paste or a sample. Bad files get a clear message
 * and leave the previous image (and everything typed) in place. */
import { ImageInputError, imageFromBlob } from '../client/image';
import { readImageSize, type PixelSize } from '../core/imageSize';
import { makeThumbnail } from './thumbnail';
import { patch, useApp } from './store';

const HINT = 'Choose a PNG, JPEG, WebP or GIF image.';
let generation = 0;

async function headerSize(blob: Blob): Promise<PixelSize | null> {
  try {
    return readImageSize(new Uint8Array(await blob.slice(0, 256 * 1024).arrayBuffer()));
  } catch {
    return null;
  }
}

export async function setImageFromBlob(blob: Blob, name: string): Promise<void> {
  const gen = ++generation;
  patch('image', { decoding: true, error: null, notice: null });
  try {
    const [payload, original] = await Promise.all([imageFromBlob(blob, `"${name}"`), headerSize(blob)]);
    const thumbnail = await makeThumbnail(payload);
    if (gen !== generation) return;
    const previous = useApp.getState().image.current;
    if (previous) URL.revokeObjectURL(previous.previewUrl);
    const scaled =
      original !== null && (original.width !== payload.width || original.height !== payload.height);
    patch('image', {
      current: { name, payload, previewUrl: URL.createObjectURL(blob), thumbnail, original },
      decoding: false,
      error: null,
      notice: scaled
        ? `"${name}" is ${original.width}×${original.height} px: it was scaled to ${payload.width}×${payload.height} for the models, whose processor resizes it further to its own pixel budget.`
        : null,
    });
  } catch (e) {
    if (gen !== generation) return;
    const message =
      e instanceof ImageInputError
        ? `${e.message}. ${HINT}`
        : `"${name}" could not be read: ${(e as Error).message}. ${HINT}`;
    patch('image', { decoding: false, error: message.charAt(0).toUpperCase() + message.slice(1) });
  }
}

/** The first file of a file list or drop; a drop without files gets a message. */
export function setImageFromFiles(files: FileList | null | undefined, what: string): void {
  const file = files?.[0];
  if (!file) {
    patch('image', { error: `Nothing to use from the ${what}: it held no file. ${HINT}` });
    return;
  }
  void setImageFromBlob(file, file.name || 'pasted image');
}

export async function setImageFromSample(url: string, name: string, question: string): Promise<void> {
  if (!useApp.getState().question.trim()) useApp.setState({ question });
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await setImageFromBlob(await res.blob(), name);
  } catch (e) {
    patch('image', {
      decoding: false,
      error: `The sample "${name}" could not be fetched: ${(e as Error).message}`,
    });
  }
}

export function clearImage(): void {
  generation++;
  const current = useApp.getState().image.current;
  if (current) URL.revokeObjectURL(current.previewUrl);
  patch('image', { current: null, decoding: false, error: null, notice: null });
}

export function dismissImageMessage(): void {
  patch('image', { error: null, notice: null });
}
