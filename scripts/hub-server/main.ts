/**
 * Runs the local hub stand-in: `npx tsx scripts/hub-server/main.ts [--port N] [org/name=folder …]`.
 * Without repos it serves every model folder of public/models as `test-org/<folder>`.
 * Point a hub source's host at the printed URL.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHubServer } from './server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
let port = 0;
const repos: Record<string, string> = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i] ?? '';
  if (a === '--port') port = Number(args[++i]);
  else if (a.includes('=')) {
    const [repo = '', dir = ''] = a.split('=');
    repos[repo] = resolve(dir);
  } else {
    console.error(`usage: main.ts [--port N] [org/name=folder …] (unexpected "${a}")`);
    process.exit(2);
  }
}
if (Object.keys(repos).length === 0) {
  const models = join(ROOT, 'public/models');
  if (!existsSync(models)) {
    console.error('public/models is missing: run "npm run models" first, or name repos as org/name=folder');
    process.exit(1);
  }
  for (const name of readdirSync(models))
    if (existsSync(join(models, name, 'config.json'))) repos[`test-org/${name}`] = join(models, name);
}
const server = await startHubServer({ repos, port });
console.log(`hub stand-in at ${server.url}`);
for (const [repo, dir] of Object.entries(repos)) console.log(`  ${repo}  ←  ${dir}`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
