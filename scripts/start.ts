/**
 * `npm start`: make sure the local models exist, then serve the app with the Vite dev server.
 *
 * 1. If public/models/tiny-base/config.json is missing, runs the model factory (`npm run models`)
 *    and stops if it fails.
 * 2. Starts Vite programmatically on 127.0.0.1, port 5173 or the next free one, and prints the URL.
 * Ctrl-C (SIGINT) or SIGTERM closes the server and exits with status 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODEL_MARKER = join(ROOT, 'public/models/tiny-base/config.json');
const HOST = '127.0.0.1';
const PREFERRED_PORT = 5173;

/** Runs `npm run models` with inherited stdio; resolves with its exit code (128+n when killed by a signal). */
function runModelFactory(): Promise<number> {
  return new Promise((resolve, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['run', 'models'], {
      cwd: ROOT,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal) resolve(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1);
      else resolve(code ?? 1);
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(MODEL_MARKER)) {
    console.log(`No local models yet (${MODEL_MARKER} is missing): building them with "npm run models"…`);
    const code = await runModelFactory();
    if (code !== 0) {
      console.error(`"npm run models" failed (exit status ${code}); not starting the dev server.`);
      process.exit(code);
    }
    if (!existsSync(MODEL_MARKER)) {
      console.error(`"npm run models" succeeded but ${MODEL_MARKER} still does not exist.`);
      process.exit(1);
    }
  }

  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    server: {
      host: HOST,
      port: PREFERRED_PORT,
      strictPort: false,
      // Test and benchmark output must not trigger page reloads in the open app.
      watch: { ignored: ['**/playwright-report/**', '**/test-results/**', '**/bench/out/**', '**/dist/**'] },
    },
  });

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      process.exit(1); // second Ctrl-C: give up waiting
    }
    closing = true;
    console.log(`\n${signal} received, stopping the dev server…`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  await server.listen();

  const address = server.httpServer?.address() as AddressInfo | null;
  const port = address?.port ?? server.config.server.port ?? PREFERRED_PORT;
  console.log('');
  console.log(`ProxyThinker Web is running at http://localhost:${port}/ (also http://${HOST}:${port}/)`);
  console.log('Open it in a WebGPU-capable Chromium-based browser. Press Ctrl-C to stop.');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
