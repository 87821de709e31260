import { test, expect } from './fixtures';

test.describe('app shell', () => {
  test('loads, is cross-origin isolated and has a WebGPU adapter', async ({ page }, testInfo) => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');

    await expect(page).toHaveTitle('ProxyThinker Web');
    // The bundle ran and React rendered something (without tying the smoke test to the UI's markup).
    await expect(page.locator('#root')).not.toBeEmpty();

    const env = await page.evaluate(() => ({
      crossOriginIsolated: globalThis.crossOriginIsolated,
      sharedArrayBuffer: typeof SharedArrayBuffer,
      hardwareConcurrency: navigator.hardwareConcurrency,
      hasGpu: 'gpu' in navigator,
    }));
    expect(env.crossOriginIsolated).toBe(true);
    expect(env.sharedArrayBuffer).toBe('function');
    expect(env.hasGpu, 'navigator.gpu missing: is Chromium started with --enable-unsafe-webgpu?').toBe(true);

    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu.requestAdapter();
      if (!a) return null;
      return {
        vendor: a.info.vendor,
        architecture: a.info.architecture,
        device: a.info.device,
        description: a.info.description,
        features: [...a.features].sort(),
        maxBufferSize: a.limits.maxBufferSize,
        maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize,
      };
    });
    expect(adapter, 'navigator.gpu.requestAdapter() returned null').not.toBeNull();

    const summary = `WebGPU adapter: vendor=${adapter?.vendor} architecture=${adapter?.architecture} device=${adapter?.device} description=${adapter?.description} maxBufferSize=${adapter?.maxBufferSize} shader-f16=${adapter?.features.includes('shader-f16')}`;
    console.log(summary);
    testInfo.annotations.push({ type: 'webgpu-adapter', description: summary });
    await testInfo.attach('webgpu-adapter.json', {
      body: JSON.stringify({ ...env, adapter }, null, 2),
      contentType: 'application/json',
    });
  });

  test('serves the onnxruntime-web runtime files from our own origin', async ({ page }) => {
    await page.goto('/');
    const files = ['/ort/ort-wasm-simd-threaded.asyncify.wasm', '/ort/ort-wasm-simd-threaded.asyncify.mjs'];
    const results = await page.evaluate(async (paths) => {
      return Promise.all(
        paths.map(async (path) => {
          const res = await fetch(path);
          const body = await res.arrayBuffer();
          return {
            path,
            url: res.url,
            origin: new URL(res.url).origin,
            pageOrigin: location.origin,
            status: res.status,
            contentType: res.headers.get('content-type') ?? '',
            bytes: body.byteLength,
            magic: [...new Uint8Array(body.slice(0, 4))],
          };
        }),
      );
    }, files);

    for (const r of results) {
      expect(r.status, r.path).toBe(200);
      expect(r.origin, r.path).toBe(r.pageOrigin);
      expect(r.bytes, r.path).toBeGreaterThan(0);
    }
    const [wasm, mjs] = results;
    expect(wasm?.contentType).toContain('application/wasm');
    expect(wasm?.magic).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
    expect(mjs?.contentType).toMatch(/javascript/);
  });
});

test.describe('network guard', () => {
  // The requests below are meant to be blocked; check the record instead of failing on it.
  // The CSP would refuse these requests before the guard sees them: this test checks the guard alone.
  test.use({ allowExternalRequests: true, bypassCSP: true });

  test('blocks and records requests to other hosts, from the page and from a worker', async ({
    page,
    context,
    externalRequests,
  }) => {
    await page.goto('/');
    expect(externalRequests).toEqual([]);
    // Aborted by the guard (ERR_BLOCKED_BY_CLIENT), not merely unresolvable (ERR_NAME_NOT_RESOLVED).
    const failures = new Map<string, string>();
    context.on('requestfailed', (r) => failures.set(r.url(), r.failure()?.errorText ?? ''));

    const fromPage = await page.evaluate(async () => {
      try {
        const res = await fetch('http://example.invalid/x');
        return `unexpected response ${res.status}`;
      } catch (e) {
        return `blocked: ${(e as Error).name}`;
      }
    });
    expect(fromPage).toBe('blocked: TypeError');
    expect(externalRequests).toContain('http://example.invalid/x');
    await expect.poll(() => failures.get('http://example.invalid/x')).toMatch(/^net::ERR_BLOCKED_BY_CLIENT/);

    const fromWorker = await page.evaluate(async () => {
      const src = `fetch('http://example.invalid/from-worker').then(
        (r) => postMessage('unexpected response ' + r.status),
        (e) => postMessage('blocked: ' + e.name));`;
      const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      const message = await new Promise<string>((resolve) => {
        worker.onmessage = (ev: MessageEvent<string>) => resolve(ev.data);
      });
      worker.terminate();
      return message;
    });
    expect(fromWorker).toBe('blocked: TypeError');
    await expect.poll(() => externalRequests).toContain('http://example.invalid/from-worker');
    await expect
      .poll(() => failures.get('http://example.invalid/from-worker'))
      .toMatch(/^net::ERR_BLOCKED_BY_CLIENT/);

    // Local requests still work while the guard is active.
    const local = await page.evaluate(async () => (await fetch('/')).status);
    expect(local).toBe(200);
  });
});
