/**
 * bench/chart.svg, written by hand: per backend, the per-token decode time of every configuration
 * (median bar, min–max whisker) and each ratio against its target.
 */

interface Stat {
  median: number | null;
  min: number | null;
  max: number | null;
}
interface RatioLike {
  value: number | null;
  target: number;
}
interface BackendDoc {
  trio?: string;
  per_token_ms?: Record<string, Stat>;
  ratios?: Record<string, RatioLike | null>;
}
interface Doc {
  date?: string;
  machine?: { cpu?: string; cores?: number; chromium?: string; loadavg_start?: (number | null)[] };
  backends: Record<string, unknown>;
}

const LABELS: Record<string, string> = {
  base: 'base alone',
  expert: 'expert alone',
  amateur: 'amateur alone',
  guided: 'guided (engine schedule)',
  side_by_side: 'side-by-side',
  guided_workers: 'guided, a worker per model',
  side_by_side_workers: 'side-by-side, a worker per model',
  naive: 'naive loop (all cores)',
  naive_same_threads: 'naive loop (1 thread)',
  guided_concurrent_1t: 'guided, concurrent 1-thread',
  reference: 'transformers.js generate()',
  guided_top_p: 'guided, top-p 0.9',
};

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function renderChart(doc: Doc): string {
  const backends = Object.entries(doc.backends) as [string, BackendDoc][];
  const W = 980;
  const panelH = 380;
  const H = 70 + Math.max(1, backends.length) * panelH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(
    `<text x="20" y="28" font-size="17" font-weight="600">ProxyThinker Web — decode time per token and ratios</text>`,
  );
  const m = doc.machine;
  out.push(
    `<text x="20" y="48" fill="#555">${esc(`${doc.date ?? ''} · ${m?.cpu ?? ''} × ${m?.cores ?? '?'} · Chromium ${m?.chromium ?? ''} · load average at start ${m?.loadavg_start?.[0] ?? '?'}`)}</text>`,
  );
  if (backends.length === 0) out.push(`<text x="20" y="90">no results</text>`);

  backends.forEach(([name, b], i) => {
    const y0 = 70 + i * panelH;
    out.push(
      `<text x="20" y="${y0 + 18}" font-size="15" font-weight="600">${esc(name.toUpperCase())} · trio ${esc(b.trio ?? '')}</text>`,
    );
    // Left: bars of ms per token.
    const entries = Object.entries(b.per_token_ms ?? {}).filter(([, s]) => s.median !== null);
    const maxV = Math.max(1e-9, ...entries.map(([, s]) => s.max ?? s.median ?? 0));
    const lx = 190;
    const lw = 330;
    const rowH = 30;
    entries.forEach(([k, s], j) => {
      const y = y0 + 40 + j * rowH;
      const w = ((s.median ?? 0) / maxV) * lw;
      const colour =
        k === 'guided' || k === 'side_by_side'
          ? '#2a6fdb'
          : k.startsWith('naive')
            ? '#c0392b'
            : k === 'reference'
              ? '#7f8c8d'
              : '#8fb3ea';
      out.push(`<text x="${lx - 8}" y="${y + 15}" text-anchor="end">${esc(LABELS[k] ?? k)}</text>`);
      out.push(`<rect x="${lx}" y="${y + 3}" width="${w.toFixed(1)}" height="18" fill="${colour}"/>`);
      if (s.min !== null && s.max !== null) {
        const a = lx + (s.min / maxV) * lw;
        const z = lx + (s.max / maxV) * lw;
        out.push(
          `<line x1="${a.toFixed(1)}" x2="${z.toFixed(1)}" y1="${y + 12}" y2="${y + 12}" stroke="#222" stroke-width="1"/>`,
        );
      }
      out.push(
        `<text x="${(lx + w + 6).toFixed(1)}" y="${y + 16}" fill="#222">${fmt(s.median ?? 0)} ms</text>`,
      );
    });
    // Right: ratio / target, 1.0 = on target.
    const rx = 600;
    const rw = 220;
    const ratios = Object.entries(b.ratios ?? {});
    const scaleMax = Math.max(2, ...ratios.map(([, r]) => (r && r.value !== null ? r.value / r.target : 0)));
    out.push(
      `<text x="${rx}" y="${y0 + 36}" fill="#555">value ÷ target (left of the line = target met)</text>`,
    );
    const lineX = rx + (1 / scaleMax) * rw;
    ratios.forEach(([id, r], j) => {
      const y = y0 + 46 + j * 30;
      out.push(`<text x="${rx - 8}" y="${y + 15}" text-anchor="end">${esc(id)}</text>`);
      if (!r || r.value === null) {
        out.push(
          `<text x="${rx}" y="${y + 15}" fill="#999">${id === 'G5' ? 'reserved (VisionThink)' : 'n/a'}</text>`,
        );
        return;
      }
      const rel = r.value / r.target;
      const ok = r.value <= r.target;
      out.push(
        `<rect x="${rx}" y="${y + 3}" width="${((Math.min(rel, scaleMax) / scaleMax) * rw).toFixed(1)}" height="18" fill="${ok ? '#27ae60' : '#e67e22'}"/>`,
      );
      out.push(`<text x="${rx + rw + 8}" y="${y + 16}">${r.value.toFixed(3)} (≤ ${r.target})</text>`);
    });
    out.push(
      `<line x1="${lineX.toFixed(1)}" x2="${lineX.toFixed(1)}" y1="${y0 + 44}" y2="${y0 + 46 + ratios.length * 30}" stroke="#222" stroke-dasharray="4 3"/>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
