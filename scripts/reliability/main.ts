/**
 * `npm run reliability [-- --check]`: writes docs/reliability.md from the fault tests' titles
 * (--check: exits 1 when the file is stale instead of writing it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReliabilityDoc } from './doc';
import { listBrowserFaults, listNodeFaults } from './list';

export const DOC = 'docs/reliability.md';

export function currentDoc(root: string): string {
  return renderReliabilityDoc([...listBrowserFaults(root), ...listNodeFaults(root)]);
}

function main(): void {
  const root = process.cwd();
  const doc = currentDoc(root);
  const path = join(root, DOC);
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      // missing: stale
    }
    if (old !== doc) {
      console.error(`${DOC} is stale: run npm run reliability`);
      process.exit(1);
    }
    console.log(`${DOC} is current`);
    return;
  }
  writeFileSync(path, doc);
  console.log(`wrote ${DOC}`);
}

if (process.argv[1]?.endsWith('main.ts')) main();
