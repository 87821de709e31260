/** The hub stand-in answers like the hub and fails on purpose when told to. */
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from './server';

const DIR = join(process.cwd(), 'public/models/tiny-base');
const FILE = 'onnx/embed_tokens_q4.onnx';
const SIZE = statSync(join(DIR, FILE)).size;

describe('hub server', () => {
  let hub: HubServer;
  const url = (path: string) => `${hub.url}${path}`;
  beforeAll(async () => {
    hub = await startHubServer({ repos: { 'test-org/tiny-base': DIR } });
  });
  afterAll(() => hub.close());

  it('serves files with Content-Length, ranges and CORS; 404s name what is missing', async () => {
    const res = await fetch(url(`test-org/tiny-base/resolve/main/${FILE}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await res.arrayBuffer()).byteLength).toBe(SIZE);
    const range = await fetch(url(`test-org/tiny-base/resolve/main/${FILE}`), {
      headers: { Range: 'bytes=0-0' },
    });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 0-0/${SIZE}`);
    expect((await fetch(url('test-org/nope/resolve/main/config.json'))).headers.get('x-error-code')).toBe(
      'RepoNotFound',
    );
    expect((await fetch(url('test-org/tiny-base/resolve/v9/config.json'))).headers.get('x-error-code')).toBe(
      'RevisionNotFound',
    );
    expect((await fetch(url('test-org/tiny-base/resolve/main/nope.json'))).headers.get('x-error-code')).toBe(
      'EntryNotFound',
    );
    expect((await fetch(url('test-org/tiny-base/resolve/main/.factory-stamp'))).status).toBe(404);
  });

  it('applies a fault plan set through the control endpoint, a given number of times', async () => {
    const put = await fetch(url('__control/faults'), {
      method: 'PUT',
      body: JSON.stringify({
        rules: [
          { path: 'test-org/tiny-base/resolve/main/onnx/*', fault: '500', times: 1 },
          { path: '**/config.json', fault: 'short' },
        ],
      }),
    });
    expect(put.status).toBe(200);
    expect((await fetch(url(`test-org/tiny-base/resolve/main/${FILE}`))).status).toBe(500);
    expect((await fetch(url(`test-org/tiny-base/resolve/main/${FILE}`))).status).toBe(200);
    const short = await fetch(url('test-org/tiny-base/resolve/main/config.json'));
    const size = statSync(join(DIR, 'config.json')).size;
    expect((await short.arrayBuffer()).byteLength).toBe(Math.floor(size / 2));
    await fetch(url('__control/faults'), {
      method: 'PUT',
      body: JSON.stringify({
        rules: [{ path: `test-org/tiny-base/resolve/main/${FILE}`, fault: 'truncate' }],
      }),
    });
    await expect(
      fetch(url(`test-org/tiny-base/resolve/main/${FILE}`)).then((r) => r.arrayBuffer()),
    ).rejects.toThrow();
    await fetch(url('__control/faults'), {
      method: 'PUT',
      body: JSON.stringify({ rules: [{ path: `test-org/tiny-base/resolve/main/${FILE}`, fault: 'drop' }] }),
    });
    await expect(fetch(url(`test-org/tiny-base/resolve/main/${FILE}`))).rejects.toThrow();
    await fetch(url('__control/faults'), { method: 'DELETE' });
    expect((await fetch(url(`test-org/tiny-base/resolve/main/${FILE}`))).status).toBe(200);
    const hits = (await (await fetch(url('__control/hits'))).json()) as { fault?: string }[];
    expect(hits.map((h) => h.fault).filter(Boolean)).toEqual(['500', 'short', 'truncate', 'drop']);
  });
});
