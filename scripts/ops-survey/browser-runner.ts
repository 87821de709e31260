/**
 * Runs cases in headless Chromium on onnxruntime-web (WASM and WebGPU EPs): writes the survey page (this
 * folder's page modules, transpiled) and each case's graphs and inputs under a scratch folder, serves them
 * with /ort/ from node_modules on a fixed port, and drives one page per backend.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import ts from 'typescript';
import { CHROMIUM_ARGS, chromiumPath, pageErrorMessage } from '../cli/runner';
import { startServer, type RunningServer } from '../serve/server';
import { buildGraph, caseFeeds, type SurveyCase } from './case';
import type { PageGraphResult, PageRequest, WebBackend } from './page-protocol';
import type { Timing } from './run-graph';
import { wireBytes } from './wire';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
/** The page's modules, in dependency order; each is transpiled on its own (type imports vanish). */
const PAGE_MODULES = ['wire', 'run-graph', 'page-protocol', 'page-runner'];

function writePage(www: string): void {
  mkdirSync(join(www, 'survey'), { recursive: true });
  for (const name of PAGE_MODULES) {
    const source = readFileSync(join(HERE, `${name}.ts`), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    }).outputText;
    // Relative imports get the extension a browser needs.
    writeFileSync(join(www, 'survey', `${name}.js`), js.replace(/(from\s+['"]\.\/[\w-]+)(['"])/g, '$1.js$2'));
  }
  writeFileSync(
    join(www, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>ops survey</title><script type="module" src="/survey/page-runner.js"></script>\n',
  );
}

export interface BrowserRunner {
  run(kase: SurveyCase, backend: WebBackend): Promise<PageGraphResult[]>;
  chromiumVersion: string;
  close(): Promise<void>;
}

export async function openBrowserRunner(opts: {
  scratch: string;
  port: number;
  threads: number;
  timing: Timing;
  caseTimeoutMs: number;
  log: (line: string) => void;
}): Promise<BrowserRunner> {
  const www = join(opts.scratch, 'www');
  rmSync(www, { recursive: true, force: true });
  writePage(www);
  const server: RunningServer = await startServer({
    root: www,
    port: opts.port,
    mounts: [{ urlPath: '/ort/', dir: join(ROOT, 'node_modules/onnxruntime-web/dist') }],
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(null),
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  const pages = new Map<WebBackend, Page>();

  const openPage = async (backend: WebBackend): Promise<Page> => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => opts.log(`[${backend}] page error: ${e.message}`));
    await page.goto(`${server.origin}/index.html`);
    await page.waitForFunction(() => typeof window.opsSurvey === 'object', null, { timeout: 30_000 });
    if (!(await page.evaluate(() => globalThis.crossOriginIsolated)))
      throw new Error('survey page is not cross-origin isolated');
    pages.set(backend, page);
    return page;
  };

  const run = async (kase: SurveyCase, backend: WebBackend): Promise<PageGraphResult[]> => {
    const dir = join(www, 'cases', kase.id);
    mkdirSync(dir, { recursive: true });
    const req: PageRequest = {
      id: kase.id,
      backend,
      threads: opts.threads,
      timing: opts.timing,
      graphs: [],
      inputs: [],
      outputs: kase.outputs,
    };
    for (const kind of ['candidate', 'baseline'] as const) {
      writeFileSync(join(dir, `${kind}.onnx`), await buildGraph(kase, kind));
      req.graphs.push({ kind, url: `/cases/${kase.id}/${kind}.onnx` });
    }
    for (const t of caseFeeds(kase)) {
      writeFileSync(join(dir, `${t.name}.bin`), wireBytes(t));
      req.inputs.push({ name: t.name, type: t.type, dims: t.dims, url: `/cases/${kase.id}/${t.name}.bin` });
    }
    const page = pages.get(backend) ?? (await openPage(backend));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, fail) => {
        timer = setTimeout(
          () => fail(new Error(`timed out after ${opts.caseTimeoutMs / 1000} s`)),
          opts.caseTimeoutMs,
        );
      });
      return await Promise.race([
        page.evaluate(
          (r) => window.opsSurvey?.runCase(r) ?? Promise.reject(new Error('page not ready')),
          req,
        ),
        timeout,
      ]);
    } catch (e) {
      // A crashed or stuck page (device lost, wasm abort) is replaced before the next case.
      pages.delete(backend);
      await page
        .context()
        .close()
        .catch(() => undefined);
      const error = pageErrorMessage(e);
      return (['candidate', 'baseline'] as const).map((kind) => ({
        kind,
        run: { ok: false, stage: 'run', error },
        log: [],
      }));
    } finally {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    }
  };

  return {
    run,
    chromiumVersion: browser.version(),
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.close();
      rmSync(www, { recursive: true, force: true });
    },
  };
}
