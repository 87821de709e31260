/**
 * Memory, seen three ways:
 * - per worker, by name (DevTools protocol, attached to every worker target): a forced full GC,
 *   then the V8 heap in use;
 * - per page: performance.memory (main thread only) and performance.measureUserAgentSpecificMemory()
 *   (page + each worker, JS and WebAssembly memory — where WASM weights live; needs cross-origin
 *   isolation; immediate with --enable-blink-features=ForceEagerMeasureMemory, after the GC above);
 * - per Chromium process (Linux /proc): PSS of the renderer and the GPU process (where WebGPU
 *   buffers live on SwiftShader).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { descendantProcesses } from './proc';

interface TargetInfo {
  targetId: string;
  type: string;
  title: string;
  url: string;
  browserContextId?: string;
}

interface CdpReply {
  id: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** DevTools protocol calls into any target (workers included) through one browser session. */
export class Cdp {
  private sessions = new Map<string, string>();
  private pending = new Map<number, (r: CdpReply) => void>();
  private nextId = 0;

  private constructor(private readonly root: CDPSession) {
    root.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
      const m = JSON.parse(e.message) as CdpReply;
      const done = this.pending.get(m.id);
      if (done) {
        this.pending.delete(m.id);
        done(m);
      }
    });
    root.on('Target.detachedFromTarget', (e: { sessionId: string }) => {
      for (const [t, s] of this.sessions) if (s === e.sessionId) this.sessions.delete(t);
    });
  }

  static async open(browser: Browser): Promise<Cdp> {
    return new Cdp(await browser.newBrowserCDPSession());
  }

  async targets(): Promise<TargetInfo[]> {
    const r = (await this.root.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
    return r.targetInfos;
  }

  /** The DevTools browser context of a Playwright page. */
  static async contextIdOf(page: Page): Promise<string> {
    const s = await page.context().newCDPSession(page);
    try {
      const r = (await s.send('Target.getTargetInfo')) as { targetInfo: TargetInfo };
      return r.targetInfo.browserContextId ?? '';
    } finally {
      await s.detach().catch(() => undefined);
    }
  }

  async call(
    targetId: string,
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    let sessionId = this.sessions.get(targetId);
    if (!sessionId) {
      const r = (await this.root.send('Target.attachToTarget', { targetId, flatten: false })) as {
        sessionId: string;
      };
      sessionId = r.sessionId;
      this.sessions.set(targetId, sessionId);
    }
    const id = ++this.nextId;
    const reply = new Promise<CdpReply>((ok) => this.pending.set(id, ok));
    await this.root.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({ id, method, params }),
    });
    const timeout = new Promise<CdpReply>((ok) =>
      setTimeout(() => ok({ id, error: { message: `${method}: no reply in 60 s` } }), 60_000),
    );
    const r = await Promise.race([reply, timeout]);
    this.pending.delete(id);
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result ?? {};
  }

  async close(): Promise<void> {
    await this.root.detach().catch(() => undefined);
  }
}

export interface TargetMemory {
  /** The worker's name (model-base, coordinator, reference, …) or 'page'. */
  title: string;
  type: string;
  /** V8 heap in use after a full GC. */
  js_heap: number;
}

type Send = (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** Full GC, then the V8 heap in use. (Runtime.queryObjects would find the WebAssembly.Memory objects, but it hangs in onnxruntime's workers.) */
async function measureTarget(send: Send): Promise<{ js_heap: number }> {
  await send('HeapProfiler.collectGarbage');
  const heap = (await send('Runtime.getHeapUsage')) as { usedSize: number };
  return { js_heap: heap.usedSize };
}

function isPthread(t: TargetInfo): boolean {
  return t.title.startsWith('em-pthread') || /\/ort\/ort-wasm/.test(t.url);
}

/**
 * Every worker of one browser context (through the browser session) and the page itself (through
 * Playwright's own session for it): JS heap after a forced GC.
 */
export async function targetMemory(cdp: Cdp, contextId: string, page: Page): Promise<TargetMemory[]> {
  const out: TargetMemory[] = [];
  const s = await page.context().newCDPSession(page);
  try {
    out.push({
      title: 'page',
      type: 'page',
      ...(await measureTarget(
        (m, p) => s.send(m as 'Runtime.evaluate', p as never) as Promise<Record<string, unknown>>,
      )),
    });
  } finally {
    await s.detach().catch(() => undefined);
  }
  // onnxruntime's own thread-pool workers (Emscripten pthreads, blocked in Atomics.wait between
  // runs) never answer DevTools calls; their memory is the model worker's shared WebAssembly memory.
  const workers = (await cdp.targets()).filter(
    (t) => t.browserContextId === contextId && t.type === 'worker' && !isPthread(t),
  );
  for (const t of workers) {
    try {
      out.push({
        title: t.title || t.url,
        type: t.type,
        ...(await measureTarget((m, p) => cdp.call(t.targetId, m, p))),
      });
    } catch {
      // A worker that ended while we looked: skip it.
    }
  }
  return out;
}

export interface PageMemory {
  /** performance.memory of the page's main thread (precise with --enable-precise-memory-info). */
  js_heap_used: number | null;
  js_heap_total: number | null;
  /** performance.measureUserAgentSpecificMemory(): page and workers, JS and wasm. null when unavailable. */
  ua_bytes: number | null;
  ua_breakdown: { bytes: number; scope: string; url: string }[];
  ua_ms: number | null;
}

export async function pageMemory(page: Page): Promise<PageMemory> {
  return page.evaluate(async () => {
    const perf = performance as Performance & {
      memory?: { usedJSHeapSize: number; totalJSHeapSize: number };
      measureUserAgentSpecificMemory?: () => Promise<{
        bytes: number;
        breakdown: { bytes: number; attribution: { scope: string; url: string }[] }[];
      }>;
    };
    const out = {
      js_heap_used: perf.memory?.usedJSHeapSize ?? null,
      js_heap_total: perf.memory?.totalJSHeapSize ?? null,
      ua_bytes: null as number | null,
      ua_breakdown: [] as { bytes: number; scope: string; url: string }[],
      ua_ms: null as number | null,
    };
    if (globalThis.crossOriginIsolated && perf.measureUserAgentSpecificMemory) {
      const t0 = performance.now();
      const m = await perf.measureUserAgentSpecificMemory();
      out.ua_ms = performance.now() - t0;
      out.ua_bytes = m.bytes;
      out.ua_breakdown = m.breakdown
        .filter((b) => b.bytes > 0)
        .map((b) => ({
          bytes: b.bytes,
          scope: b.attribution[0]?.scope ?? '',
          url: (b.attribution[0]?.url ?? '').replace(/^.*\//, ''),
        }));
    }
    return out;
  });
}

export interface ProcessMemory {
  /** kB of PSS per Chromium process type, summed (renderer, gpu-process, browser, utility, zygote). */
  pss_kb: Record<string, number>;
  /** The largest renderer (the page's), kB. */
  renderer_max_kb: number;
}

/** Chromium processes started by this Node process, from /proc (Linux only; empty elsewhere). */
export function processMemory(): ProcessMemory {
  const out: ProcessMemory = { pss_kb: {}, renderer_max_kb: 0 };
  if (!existsSync('/proc/self/smaps_rollup')) return out;
  const procs: { pid: number; cmd: string }[] = [];
  for (const { pid } of descendantProcesses()) {
    try {
      procs.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // gone
    }
  }
  for (const p of procs) {
    if (!/chrom/.test(p.cmd)) continue;
    let pss: number;
    try {
      pss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p.pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      continue;
    }
    const type = /--type=(\S+)/.exec(p.cmd)?.[1] ?? 'browser';
    out.pss_kb[type] = (out.pss_kb[type] ?? 0) + pss;
    if (type === 'renderer') out.renderer_max_kb = Math.max(out.renderer_max_kb, pss);
  }
  return out;
}
