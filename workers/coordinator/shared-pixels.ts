/**
 * The image processor runs once per image for all models whose processors agree (a Qwen trio's all
 * do): one model worker makes the pixels in shared memory and every model of its group takes them.
 * The last few results are kept, so a new question or a regenerate on the same image does no image
 * work at all.
 */
import { preprocessPlan } from '../../src/core/pixels';
import type { ModelRole } from '../../src/core/presets';
import type { ImagePayload, ModelWorkerApi, PixelPayload } from '../../src/core/protocol';

/** Low and full resolution of the current image. */
const KEEP = 2;

export interface PixelModel {
  role: ModelRole;
  api: ModelWorkerApi;
  processorKey: string | null;
}

export class SharedPixels {
  private cache = new Map<string, PixelPayload>();

  /**
   * Pixels per role, for the roles that share a processor; the others (and a group whose maker
   * failed, which then fails on its own in prefill with its own error) process the image themselves.
   */
  async forModels(
    models: readonly PixelModel[],
    image: ImagePayload,
  ): Promise<Partial<Record<ModelRole, PixelPayload>>> {
    const out: Partial<Record<ModelRole, PixelPayload>> = {};
    const api = new Map(models.map((m) => [m.role, m.api]));
    await Promise.all(
      preprocessPlan(models).map(async ({ maker, takers, processorKey }) => {
        const key = `${processorKey}\n${image.key}`;
        let pixels = this.cache.get(key);
        if (!pixels) {
          pixels = await api
            .get(maker)
            ?.preprocess(image)
            .catch(() => undefined);
          if (!pixels) return;
          this.cache.set(key, pixels);
          for (const old of this.cache.keys()) if (this.cache.size > KEEP) this.cache.delete(old);
        }
        for (const r of [maker, ...takers]) out[r] = pixels;
      }),
    );
    return out;
  }

  clear(): void {
    this.cache.clear();
  }
}
