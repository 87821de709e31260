/**
 * The harness shared by the CLI and the benchmark: builds the app when dist/ is stale, serves it
 * (plus the models) from a local cross-origin isolated server on a free port, and opens it in
 * headless Chromium, where `window.proxyThinker` drives the real engine.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { startServer, type Mount, type RunningServer } from '../serve/server';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const MODELS = join(ROOT, 'public/models');

/** As in playwright.config.ts: WebGPU on SwiftShader needs --enable-unsafe-webgpu and a localhost page. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export type Log = (line: string) => void;

/** Everything `vite build` reads (models and the copied onnxruntime files excluded: they are served directly / derived). */
const BUILD_INPUTS = [
  'src',
  'workers',
  'index.html',
  'vite.config.ts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'public',
];
const IGNORED = [/\.test\.tsx?$/, /^public\/models(\/|$)/, /^public\/ort(\/|$)/, /^workers\/test(\/|$)/];

async function newestInput(): Promise<{ path: string; mtimeMs: number }> {
  let newest = { path: '', mtimeMs: 0 };
  const visit = async (rel: string): Promise<void> => {
    if (IGNORED.some((re) => re.test(rel))) return;
    let st;
    try {
      st = await fs.stat(join(ROOT, rel));
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of await fs.readdir(join(ROOT, rel))) await visit(`${rel}/${name}`);
    } else if (st.mtimeMs > newest.mtimeMs) {
      newest = { path: rel, mtimeMs: st.mtimeMs };
    }
  };
  for (const p of BUILD_INPUTS) await visit(p);
  return newest;
}

/** Why dist/ must be rebuilt, or null when it is up to date. */
export async function staleReason(): Promise<string | null> {
  const marker = join(DIST, 'index.html');
  if (!existsSync(marker)) return 'dist/ is missing';
  const built = statSync(marker).mtimeMs;
  const newest = await newestInput();
  return newest.mtimeMs > built ? `${newest.path} is newer than dist/` : null;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(ROOT, 'node_modules/.cache/proxythinker-build.lock');
  await fs.mkdir(join(lock, '..'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      await fs.mkdir(lock);
      break;
    } catch {
      // Another CLI is building; a lock older than 5 minutes is left over from a killed process.
      const age = Date.now() - (await fs.stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 300_000) await fs.rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another build of dist/');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

/** `vite build` when dist/ is missing or older than its inputs (or always / never). */
// eslint-disable-next-line no-control-regex -- stripping ANSI colours from the build's output
const ANSI = /\u001b\[[0-9;]*m/g;

/** dist/index.html and every asset it references exist. */
async function usableBuild(): Promise<boolean> {
  try {
    const html = await fs.readFile(join(DIST, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1] ?? '');
    for (const r of refs) await fs.access(join(DIST, r));
    return refs.length > 0;
  } catch {
    return false;
  }
}

/** `vite build` when dist/ is missing or older than its inputs (or always / never). `warn` always prints. */
export async function ensureBuild(
  mode: 'auto' | 'always' | 'never',
  log: Log,
  warn: Log = (l) => process.stderr.write(`proxythinker: ${l}\n`),
): Promise<'fresh' | 'built'> {
  if (mode === 'never') {
    if (!existsSync(join(DIST, 'index.html')))
      throw new Error('dist/ is missing and --build never was given');
    return 'fresh';
  }
  if (mode === 'auto' && (await staleReason()) === null) return 'fresh';
  return withLock(async () => {
    const why = mode === 'always' ? 'requested' : await staleReason();
    if (why === null) return 'fresh';
    log(`building the app (${why})…`);
    const t0 = performance.now();
    const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
    const output: string[] = [];
    const code = await new Promise<number>((ok, fail) => {
      const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      child.on('error', fail);
      child.on('exit', (c, signal) => ok(signal ? 1 : (c ?? 1)));
    });
    if (code !== 0) {
      const text = output.join('').replace(ANSI, '').trim();
      const lines = text.split('\n').map((l) => l.trim());
      const first =
        lines.find((l) => /^\[[A-Z_]+\]/.test(l)) ??
        lines.find((l) => /error/i.test(l) && !/^error during build:?$/.test(l)) ??
        lines[0] ??
        '';
      // The working tree may be mid-edit (others change src/ while we run): an older complete build
      // is still the engine, so 'auto' goes on with it and says so; 'always' fails.
      if (mode === 'auto' && (await usableBuild())) {
        warn(`warning: rebuilding dist/ failed (${first.trim().slice(0, 200)}); using the existing build`);
        return 'fresh';
      }
      throw new Error(`vite build failed (exit ${code}):\n${text.split('\n').slice(-15).join('\n')}`);
    }
    log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return 'built';
  });
}

export function chromiumPath(explicit: string | null): string {
  const path = explicit ?? (process.env.CHROME_PATH || '/usr/bin/chromium');
  if (!existsSync(path))
    throw new Error(`Chromium not found at ${path} (set CHROME_PATH or pass --chromium PATH)`);
  return path;
}

export interface SessionOptions {
  /** Served before dist/: e.g. a user's model folders and the input image. /models/ is always public/models. */
  mounts?: Mount[];
  chromium?: string | null;
  extraArgs?: string[];
  log?: Log;
  /** Browser console messages (type, text) of the page and its workers. */
  onConsole?: (type: string, text: string) => void;
}

export interface Session {
  server: RunningServer;
  browser: Browser;
  /** The first page, opened by openSession. */
  page: Page;
  origin: string;
  /** Another page on the app in a fresh browser context (its own coordinator and workers). */
  openPage(): Promise<Page>;
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isExternal(url: URL): boolean {
  return /^(https?|wss?):$/.test(url.protocol) && !LOCAL_HOSTS.has(url.hostname);
}

export async function openSession(opts: SessionOptions = {}): Promise<Session> {
  const log = opts.log ?? (() => undefined);
  const server = await startServer({
    root: DIST,
    mounts: [{ urlPath: '/models/', dir: MODELS }, ...(opts.mounts ?? [])],
  });
  let browser: Browser | null = null;
  try {
    const executablePath = chromiumPath(opts.chromium ?? null);
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])],
    });
    const b = browser;
    const openPage = async (): Promise<Page> => {
      // Service workers are blocked (a cached app would hide a rebuild); nothing may leave localhost.
      const context: BrowserContext = await b.newContext({
        serviceWorkers: 'block',
        viewport: { width: 1280, height: 800 },
      });
      await context.route(isExternal, (route) => route.abort('blockedbyclient'));
      if (opts.onConsole) {
        const cb = opts.onConsole;
        context.on('console', (m: ConsoleMessage) => cb(m.type(), m.text()));
        context.on('weberror', (e) => cb('pageerror', e.error().message));
      }
      const page = await context.newPage();
      const res = await page.goto(`${server.origin}/`);
      if (!res?.ok())
        throw new Error(
          `the app did not load from ${server.origin}/ (HTTP ${res?.status() ?? 'no response'})`,
        );
      await page.waitForFunction(() => typeof window.proxyThinker === 'object', null, { timeout: 30_000 });
      const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
      if (!isolated) throw new Error('the page is not cross-origin isolated (COOP/COEP headers missing?)');
      return page;
    };
    const page = await openPage();
    log(`Chromium ${b.version()} on ${server.origin}`);
    return {
      server,
      browser: b,
      page,
      origin: server.origin,
      openPage,
      close: async () => {
        await b.close().catch(() => undefined);
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await server.close();
    throw e;
  }
}

/** The message of an error thrown inside page.evaluate, without Playwright's prefix and stack. */
export function pageErrorMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const first = raw.split('\n').find((l) => l.trim() !== '') ?? raw;
  return first.replace(/^(page|frame)\.evaluate: /, '').replace(/^Error: /, '');
}

export function relToRoot(p: string): string {
  return relative(ROOT, p) || '.';
}
