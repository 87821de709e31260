/**
 * `npm run models [-- --only a,b] [--out DIR] [--force] [--list] [--spec FILE.json]`
 * Makes the generated models (skipping folders already made from the same spec and factory code).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CATALOG } from './catalog';
import { parseCustomSpec } from './custom-spec';
import { makeModels } from './make';
import type { ModelSpec } from './spec';

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
  } else {
    specs = specs.filter((s) => !s.onDemand);
  }
  await makeModels(specs, resolve(values.out), values.force, console.log);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`models: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
