/** Makes generated models, skipping folders already made from the same spec and factory code. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModel } from './factory';
import type { ModelSpec } from './spec';

const here = dirname(fileURLToPath(import.meta.url));
const STAMP = '.factory-stamp';

/** Hash of the spec and of the factory's own code: a change to either remakes the model. */
function stampOf(spec: ModelSpec): string {
  const h = createHash('sha256').update(JSON.stringify(spec));
  // The factory's own code and the converter's, which writes the graphs.
  for (const d of [here, join(here, '../../src/convert'), join(here, '../../src/convert/graphs'), join(here, '../../src/convert/onnx')]) {
    for (const f of readdirSync(d).sort()) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'cli.ts') h.update(readFileSync(join(d, f)));
    }
  }
  h.update(readFileSync(join(here, '../../src/core/sampling.ts'))); // the weights' PRNG
  return h.digest('hex');
}

export async function makeModels(specs: readonly ModelSpec[], out: string, force: boolean, log: (line: string) => void): Promise<void> {
  for (const spec of specs) {
    const stamp = stampOf(spec);
    const stampFile = join(out, spec.name, STAMP);
    if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
      log(`${spec.name}: up to date`);
      continue;
    }
    const t0 = performance.now();
    const files = await writeModel(spec, out);
    writeFileSync(stampFile, stamp);
    log(`${spec.name}: ${files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${join(out, spec.name)}`);
  }
}
