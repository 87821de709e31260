/**
 * `npm run models [-- --only a,b] [--out DIR] [--force] [--list] [--spec FILE.json]`
 * Makes the generated models (skipping folders already made from the same spec and factory code).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CATALOG } from './catalog';
import { writeModel } from './factory';
import { parseCustomSpec } from './custom-spec';
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

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      out: { type: 'string', default: 'public/models' },
      force: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      spec: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log('usage: npm run models -- [--only tiny-base,tiny-expert] [--out public/models] [--force] [--list] [--spec FILE.json]');
    return;
  }
  let specs: ModelSpec[] = [...CATALOG];
  if (values.spec) specs = [parseCustomSpec(readFileSync(values.spec, 'utf8'), values.spec)];
  if (values.list) {
    for (const s of specs) console.log(`${s.name.padEnd(16)} ${s.description}`);
    return;
  }
  if (values.only) {
    const wanted = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted.filter((w) => !specs.some((s) => s.name === w));
    if (unknown.length > 0) {
      throw new Error(`unknown model(s): ${unknown.join(', ')}; known: ${specs.map((s) => s.name).join(', ')}`);
    }
    specs = specs.filter((s) => wanted.includes(s.name));
  }
  const out = resolve(values.out);
  for (const spec of specs) {
    const stamp = stampOf(spec);
    const stampFile = join(out, spec.name, STAMP);
    if (!values.force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
      console.log(`${spec.name}: up to date`);
      continue;
    }
    const t0 = performance.now();
    const files = await writeModel(spec, out);
    writeFileSync(stampFile, stamp);
    console.log(`${spec.name}: ${files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${join(out, spec.name)}`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`models: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
