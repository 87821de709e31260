/** Memory figures where the browser gives them: Chromium's performance.memory, and the standard
 * measureUserAgentSpecificMemory() (page and workers) when the page is cross-origin isolated. */
import type { MemoryReport } from './store';

interface LegacyMemory {
  usedJSHeapSize: number;
}

interface UaMemoryResult {
  bytes: number;
  breakdown: { bytes: number; attribution: { url: string; scope: string }[] }[];
}

function legacyHeap(): number | null {
  const m: unknown = (performance as Performance & { memory?: unknown }).memory;
  if (typeof m === 'object' && m !== null && 'usedJSHeapSize' in m) return (m as LegacyMemory).usedJSHeapSize;
  return null;
}

function uaMeasure(): (() => Promise<UaMemoryResult>) | null {
  const p = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<UaMemoryResult> };
  if (!globalThis.crossOriginIsolated || typeof p.measureUserAgentSpecificMemory !== 'function') return null;
  return () => p.measureUserAgentSpecificMemory?.() ?? Promise.reject(new Error('unavailable'));
}

function label(scope: string, url: string): string {
  if (scope === 'Window') return 'Page';
  if (/coordinator/.test(url)) return 'Coordinator worker';
  if (/model/.test(url)) return 'Model workers';
  if (scope.includes('Worker')) return 'Other workers';
  return 'Other';
}

export function quickMemory(): MemoryReport {
  const measure = uaMeasure();
  return {
    pageHeapBytes: legacyHeap(),
    totalBytes: null,
    breakdown: [],
    measuring: measure !== null,
    unsupported: measure
      ? null
      : 'this browser does not report worker memory (needs measureUserAgentSpecificMemory and cross-origin isolation)',
  };
}

/** The full measurement; Chromium may take up to ~20 s (it waits for a garbage collection). */
export async function fullMemory(): Promise<MemoryReport | null> {
  const measure = uaMeasure();
  if (!measure) return null;
  const r = await measure();
  const sums = new Map<string, number>();
  for (const b of r.breakdown) {
    const a = b.attribution[0];
    const l = a ? label(a.scope, a.url) : 'Shared / unattributed';
    sums.set(l, (sums.get(l) ?? 0) + b.bytes);
  }
  return {
    pageHeapBytes: legacyHeap(),
    totalBytes: r.bytes,
    breakdown: [...sums].map(([l, bytes]) => ({ label: l, bytes })).sort((a, b) => b.bytes - a.bytes),
    measuring: false,
    unsupported: null,
  };
}
