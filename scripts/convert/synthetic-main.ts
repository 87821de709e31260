/** `npm run synthetic -- [--only a,b] [--out DIR] [--list]`: writes the synthetic checkpoints (converter tests). */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LARGE_QWEN2_2B, SYNTHETIC } from './synthetic-catalog';
import { writeSyntheticCheckpoint } from './synthetic';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { only: { type: 'string' }, out: { type: 'string', default: 'public/checkpoints' }, list: { type: 'boolean', default: false } },
    strict: true,
  });
  const all = [...SYNTHETIC, LARGE_QWEN2_2B];
  if (values.list) {
    for (const s of all) console.log(`${s.name.padEnd(24)} ${s.desc.family} ${s.dtype} ${s.layout}`);
    return;
  }
  const wanted = values.only?.split(',').map((s) => s.trim()) ?? SYNTHETIC.map((s) => s.name);
  for (const name of wanted) {
    const spec = all.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown synthetic checkpoint ${name}`);
    const t0 = performance.now();
    const files = await writeSyntheticCheckpoint(spec, join(resolve(values.out), name));
    console.log(`${name}: ${files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`synthetic: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
