/**
 * One evaluation item through the engine: its image decoded, one α sweep (with the base-only
 * stream when asked), the outputs scored. The page's Evaluate view and the CLI (through
 * `window.proxyThinker.evalItem`) both run items here.
 */
import {
  itemRequest,
  OutputCollector,
  scoreItem,
  validateEvalSettings,
  type EvalSettings,
} from '../core/eval/outputs';
import type { EvalItem, ItemRecord } from '../core/eval/types';
import { toWireError, type RunEvent, type WireError } from '../core/protocol';
import { coordinator } from './coordinator';
import { imageFromBlob } from './image';

export type ItemOutcome =
  | { kind: 'done'; record: ItemRecord }
  /** Stopped before every output finished: the item is not done (a resumed run does it again). */
  | { kind: 'cancelled' }
  /** The image could not be had or the run failed as a whole. */
  | { kind: 'failed'; error: WireError };

/** Fetches (URL, data: URL) or reads (a picked file) an item's image into pixels. */
export async function itemImage(source: string | Blob, label: string) {
  if (typeof source !== 'string') return imageFromBlob(source, label);
  const res = await fetch(source);
  if (!res.ok) throw new Error(`${label}: HTTP ${res.status}`);
  return imageFromBlob(await res.blob(), label);
}

export async function evaluateItem(
  item: EvalItem,
  image: string | Blob,
  settings: EvalSettings,
  onEvents?: (events: RunEvent[]) => void,
): Promise<ItemOutcome> {
  validateEvalSettings(settings);
  const t0 = performance.now();
  let pixels;
  try {
    pixels = await itemImage(
      image,
      `image '${item.image.startsWith('data:') ? 'data: URL' : item.image}' of item ${item.id}`,
    );
  } catch (e) {
    return { kind: 'failed', error: toWireError(e) };
  }
  const collector = new OutputCollector(settings, t0);
  try {
    await coordinator().run({ ...itemRequest(item, settings), image: pixels }, (batch) => {
      const at = performance.now();
      for (const e of batch) collector.push(e, at);
      onEvents?.(batch);
    });
  } catch (e) {
    return collector.cancelled
      ? { kind: 'cancelled' }
      : { kind: 'failed', error: collector.error ?? toWireError(e) };
  }
  if (collector.cancelled) return { kind: 'cancelled' };
  return { kind: 'done', record: scoreItem(item, collector.list(), performance.now() - t0) };
}
