/**
 * The Content-Security-Policy is in force (issue 16): what it forbids is refused and reported, and the
 * e2e guard sees every report — so "no violation" in the other tests means something. The dev server
 * sends the policy too, with a fresh nonce for what Vite injects, and the app runs under it.
 */
import { createServer, type ViteDevServer } from 'vite';
import { expect, test } from './fixtures';
import { parsePolicies } from '../src/core/csp';

test.describe('the policy holds', () => {
  test.use({ allowCspViolations: true });

  test('inline script, eval, a script from another origin, a blob: worker and a refused host are all blocked and reported', async ({
    page,
    cspViolations,
  }) => {
    const res = await page.goto('/');
    const header = (await res?.headerValue('content-security-policy')) ?? '';
    const [policy] = parsePolicies(header);
    expect(policy?.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(await res?.headerValue('x-content-type-options')).toBe('nosniff');
    expect(await res?.headerValue('cross-origin-embedder-policy')).toBe('require-corp');
    await page.waitForFunction(() => typeof window.proxyThinker === 'object');

    const outcome = await page.evaluate(async () => {
      const w = window as Window & { inlineRan?: boolean };
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.body.append(s);
      // (Code evaluated by the test itself is exempt; a string timer is evaluated by the page.)
      const evalRan = await new Promise<boolean>((resolve) => {
        const g = window as Window & { evalRan?: boolean };
        g.evalRan = false;
        setTimeout('window.evalRan = true', 0);
        setTimeout(() => resolve(g.evalRan === true), 50);
      });
      const foreign = await new Promise<string>((resolve) => {
        const x = document.createElement('script');
        x.src = 'http://127.0.0.1:9/evil.js';
        x.onerror = () => resolve('blocked');
        x.onload = () => resolve('loaded');
        document.body.append(x);
      });
      const worker = await new Promise<string>((resolve) => {
        const w = new Worker(URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' })));
        w.onerror = () => resolve('blocked');
        w.onmessage = () => resolve('ran');
      });
      let fetched = 'fetched';
      try {
        await fetch('https://mirror.example.org/x');
      } catch (e) {
        fetched = (e as Error).name;
      }
      const attr = document.createElement('div');
      attr.setAttribute('onclick', 'window.inlineRan = true');
      attr.click();
      return { inline: w.inlineRan === true, evalRan, foreign, worker, fetched };
    });
    expect(outcome).toEqual({
      inline: false,
      evalRan: false,
      foreign: 'blocked',
      worker: 'blocked',
      fetched: 'TypeError',
    });
    await expect.poll(() => cspViolations.join('\n')).toContain('script-src blocked eval');
    const seen = cspViolations.join('\n');
    expect(seen).toContain('script-src-elem blocked inline');
    expect(seen).toContain('script-src-elem blocked http://127.0.0.1:9/evil.js');
    expect(seen).toContain('connect-src blocked https://mirror.example.org/x');
    expect(seen).toMatch(/worker-src blocked blob/);
    expect(seen).toContain('script-src-attr blocked inline');
  });

  test('a worker that breaks the policy is refused too, and its violation report reaches the guard', async ({
    page,
    cspViolations,
  }) => {
    await page.goto('/');
    await page.waitForFunction(() => typeof window.proxyThinker === 'object');
    await page.evaluate(() => window.proxyThinker.stats()); // starts the coordinator worker
    await expect.poll(() => page.workers().length).toBeGreaterThan(0);
    const coordinator = page.workers().find((w) => /coordinator/.test(w.url()));
    if (!coordinator) throw new Error('no coordinator worker');
    // The worker's own policy (its script's response headers) refuses the host.
    const outcome = await coordinator.evaluate(() =>
      fetch('https://mirror.example.org/from-worker').then(
        () => 'fetched',
        (e: Error) => e.name,
      ),
    );
    expect(outcome).toBe('TypeError');
    await expect.poll(() => cspViolations.join('\n')).toContain('https://mirror.example.org/from-worker');
  });
});

test.describe('the dev server', () => {
  let server: ViteDevServer | null = null;
  test.afterEach(async () => {
    await server?.close();
    server = null;
  });

  test('sends the policy with a fresh nonce per response; the app renders under it with no violation', async ({
    page,
  }) => {
    test.slow(); // the dev server transforms the app on first request
    server = await createServer({
      configFile: 'vite.config.ts',
      server: { port: 0, host: '127.0.0.1' },
      logLevel: 'error',
    });
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('the dev server has no port');
    const url = `http://localhost:${address.port}/`;
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url);
      const html = await res.text();
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
      expect(nonce.length).toBeGreaterThanOrEqual(16);
      expect(html, 'every inline script carries the response nonce').not.toMatch(
        /<script(?![^>]*nonce=)(?![^>]*\ssrc=)[^>]*>/,
      );
      expect(html).toContain(`nonce="${nonce}"`);
      expect(html).not.toContain('ptNoncePlaceholder');
      nonces.push(nonce);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
    await page.goto(url);
    await expect(page.getByRole('heading', { level: 1, name: 'ProxyThinker Web' })).toBeVisible({
      timeout: 120_000,
    });
    // KaTeX and the styles Vite injects in dev apply under the policy (the guard fails the test otherwise).
    await expect(page.getByRole('region', { name: 'Run controls' })).toBeVisible();
  });
});
