/**
 * An evaluation's results for people: a Markdown table, CSV (one row per item and output) and an
 * SVG plot of accuracy over α with each point's 95 % interval and the base model as a line with
 * its interval as a band. Pure strings: the CLI writes them to files, the page offers them as downloads.
 */
import type { ResultRow, Summary } from './summary';
import type { ItemRecord } from './types';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function rowLabel(r: Pick<ResultRow, 'mode' | 'alpha'>): string {
  if (r.mode === 'guided' && r.alpha !== null) return `guided α=${r.alpha}`;
  return r.alpha === null ? r.mode : `${r.mode} α=${r.alpha}`;
}

export interface ReportMeta {
  title: string;
  /** Lines shown under the title (set, trio, settings…). */
  lines: string[];
}

export function summaryMarkdown(summary: Summary, meta: ReportMeta): string {
  const out = [`# ${meta.title}`, '', ...meta.lines.map((l) => `- ${l}`), ''];
  out.push('| mode | α | n | correct | accuracy | 95 % interval | errors |', '|---|---|---|---|---|---|---|');
  for (const r of summary.results) {
    out.push(
      `| ${r.mode} | ${r.alpha ?? '–'} | ${r.n} | ${r.correct} | ${pct(r.accuracy)} | ${pct(r.ci95[0])} – ${pct(r.ci95[1])} | ${r.errors} |`,
    );
  }
  if (summary.best_alpha !== null) {
    out.push(
      '',
      `Best α: ${summary.best_alpha}${summary.best_gain !== null ? ` (${summary.best_gain >= 0 ? '+' : ''}${(summary.best_gain * 100).toFixed(1)} points over base)` : ''}.`,
    );
  }
  return `${out.join('\n')}\n`;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  'id',
  'mode',
  'alpha',
  'correct',
  'extracted',
  'method',
  'answer',
  'answer_type',
  'tokens',
  'ms',
  'reason',
  'error',
] as const;

/** One CSV row per item and output (RFC 4180 quoting). */
export function recordsCsv(records: readonly ItemRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    for (const s of r.results) {
      lines.push(
        [
          r.id,
          s.mode,
          s.alpha,
          s.correct ? 1 : 0,
          s.extracted,
          s.method,
          r.answer,
          r.answer_type,
          s.tokens,
          s.ms === null ? null : Math.round(s.ms),
          s.reason,
          s.error ? `${s.error.name}: ${s.error.message}` : null,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Accuracy (y, 0–100 %) over α (x) for the guided rows, each with its 95 % interval; the base row as a
 * dashed line with its interval as a band. Works with one α (a single point) and without a base row.
 */
export function accuracyPlotSvg(summary: Summary, title = 'Accuracy vs α'): string {
  const W = 640;
  const H = 400;
  const L = 64;
  const R = 150;
  const T = 44;
  const B = 56;
  const guided = summary.results.filter((r) => r.mode === 'guided' && r.alpha !== null);
  const base = summary.results.find((r) => r.mode === 'base');
  const alphas = guided.map((r) => r.alpha ?? 0);
  let lo = Math.min(0, ...alphas);
  let hi = Math.max(1, ...alphas);
  if (hi - lo < 1e-9) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x = (a: number) => L + ((a - lo) / (hi - lo)) * (W - L - R);
  const y = (acc: number) => T + (1 - acc) * (H - T - B);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" role="img" aria-label="${esc(title)}">`,
  );
  parts.push(`<title>${esc(title)}</title>`, `<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(
    `<text x="${W / 2 - R / 2 + L / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`,
  );
  for (let t = 0; t <= 10; t += 2) {
    const yy = y(t / 10).toFixed(1);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${yy}" y2="${yy}" stroke="#e3e6ea"/>`);
    parts.push(
      `<text x="${L - 8}" y="${yy}" dy="4" text-anchor="end" font-size="12" fill="#444">${t * 10} %</text>`,
    );
  }
  const ticks = niceTicks(lo + pad, hi - pad);
  for (const a of ticks) {
    const xx = x(a).toFixed(1);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${H - B}" y2="${H - B + 5}" stroke="#333"/>`);
    parts.push(
      `<text x="${xx}" y="${H - B + 20}" text-anchor="middle" font-size="12" fill="#444">${+a.toFixed(3)}</text>`,
    );
  }
  parts.push(
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${(L + W - R) / 2}" y="${H - 14}" text-anchor="middle" font-size="13">α (guidance strength)</text>`,
  );
  parts.push(
    `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${(T + H - B) / 2})">accuracy</text>`,
  );
  if (base) {
    parts.push(
      `<rect data-series="base-ci" x="${L}" width="${W - R - L}" y="${y(base.ci95[1]).toFixed(1)}" height="${(y(base.ci95[0]) - y(base.ci95[1])).toFixed(1)}" fill="#888" fill-opacity="0.15"/>`,
    );
    parts.push(
      `<line data-series="base" x1="${L}" x2="${W - R}" y1="${y(base.accuracy).toFixed(1)}" y2="${y(base.accuracy).toFixed(1)}" stroke="#666" stroke-width="2" stroke-dasharray="6 4"/>`,
    );
  }
  if (guided.length > 1) {
    const pts = guided.map((r) => `${x(r.alpha ?? 0).toFixed(1)},${y(r.accuracy).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="#2e6fdb" stroke-width="2"/>`);
  }
  for (const r of guided) {
    const xx = x(r.alpha ?? 0).toFixed(1);
    parts.push(
      `<line data-series="guided-ci" x1="${xx}" x2="${xx}" y1="${y(r.ci95[0]).toFixed(1)}" y2="${y(r.ci95[1]).toFixed(1)}" stroke="#2e6fdb" stroke-opacity="0.5" stroke-width="6" stroke-linecap="round"/>`,
    );
    parts.push(
      `<circle data-series="guided" data-alpha="${r.alpha}" data-accuracy="${r.accuracy}" cx="${xx}" cy="${y(r.accuracy).toFixed(1)}" r="5" fill="#2e6fdb"><title>α ${r.alpha}: ${pct(r.accuracy)} (${r.correct}/${r.n}), 95 % ${pct(r.ci95[0])}–${pct(r.ci95[1])}</title></circle>`,
    );
  }
  const lx = W - R + 16;
  parts.push(
    `<circle cx="${lx + 8}" cy="${T + 10}" r="5" fill="#2e6fdb"/><text x="${lx + 20}" y="${T + 14}" font-size="12">guided (95 % CI)</text>`,
  );
  if (base)
    parts.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="${T + 32}" y2="${T + 32}" stroke="#666" stroke-width="2" stroke-dasharray="6 4"/><text x="${lx + 20}" y="${T + 36}" font-size="12">base ${pct(base.accuracy)}</text>`,
    );
  if (!guided.length && !base)
    parts.push(
      `<text x="${(L + W - R) / 2}" y="${H / 2}" text-anchor="middle" font-size="14" fill="#777">no scored items yet</text>`,
    );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= 6) ?? mag * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step)
    out.push(+(Math.round(v / step) * step).toPrecision(12) || 0); // no 0.6000000000000001, no -0
  return out;
}
