/**
 * Renders the sample images the page offers (public/samples/*.png) from SVG in headless Chromium.
 * Run with `npx tsx scripts/make-samples.ts`; the PNGs are committed, so this only needs re-running
 * when a picture changes. Each file is checked to stay under 100 KB.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs } from '../playwright.config';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'public/samples');
const W = 480;
const H = 320;
const MAX_BYTES = 100_000;

const font = `font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"`;

function chart(): string {
  const values = [12, 18, 15, 24];
  const labels = ['Q1', 'Q2', 'Q3', 'Q4'];
  const x0 = 70;
  const y0 = 270;
  const scale = 8; // px per unit
  const bars = values
    .map((v, i) => {
      const x = x0 + 30 + i * 95;
      const h = v * scale;
      return `<rect x="${x}" y="${y0 - h}" width="56" height="${h}" rx="3" fill="${i === 3 ? '#e4572e' : '#2e6fdb'}"/>
        <text x="${x + 28}" y="${y0 - h - 8}" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${v}</text>
        <text x="${x + 28}" y="${y0 + 20}" text-anchor="middle" font-size="15" fill="#333">${labels[i]}</text>`;
    })
    .join('');
  const grid = [0, 5, 10, 15, 20, 25]
    .map(
      (
        v,
      ) => `<line x1="${x0}" x2="${W - 20}" y1="${y0 - v * scale}" y2="${y0 - v * scale}" stroke="#d9dde3" stroke-width="1"/>
      <text x="${x0 - 8}" y="${y0 - v * scale + 5}" text-anchor="end" font-size="12" fill="#555">${v}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ${font}>
    <rect width="100%" height="100%" fill="#ffffff"/>
    <text x="${W / 2}" y="30" text-anchor="middle" font-size="19" font-weight="bold" fill="#111">Quarterly revenue (million $)</text>
    ${grid}
    <line x1="${x0}" x2="${x0}" y1="50" y2="${y0}" stroke="#333" stroke-width="2"/>
    <line x1="${x0}" x2="${W - 20}" y1="${y0}" y2="${y0}" stroke="#333" stroke-width="2"/>
    ${bars}
    <text x="22" y="${(y0 + 50) / 2}" text-anchor="middle" font-size="13" fill="#333" transform="rotate(-90 22 ${(y0 + 50) / 2})">Revenue</text>
  </svg>`;
}

function geometry(): string {
  // Right triangle with legs 6 and 8 (scaled), a circle inscribed, an unknown side x.
  const A = [80, 270] as const;
  const B = [400, 270] as const;
  const C = [80, 30] as const;
  const r = 80; // inradius (6+8−10)/2 = 2 units at 40 px per unit
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ${font}>
    <rect width="100%" height="100%" fill="#fbfaf6"/>
    <polygon points="${A.join(',')} ${B.join(',')} ${C.join(',')}" fill="#e8f0fe" stroke="#1d3557" stroke-width="3" stroke-linejoin="round"/>
    <polyline points="${A[0]},${A[1] - 22} ${A[0] + 22},${A[1] - 22} ${A[0] + 22},${A[1]}" fill="none" stroke="#1d3557" stroke-width="2"/>
    <circle cx="${A[0] + r}" cy="${A[1] - r}" r="${r}" fill="none" stroke="#e4572e" stroke-width="2.5" stroke-dasharray="7 5"/>
    <circle cx="${A[0] + r}" cy="${A[1] - r}" r="3.5" fill="#e4572e"/>
    <line x1="${A[0] + r}" y1="${A[1] - r}" x2="${A[0] + r}" y2="${A[1]}" stroke="#e4572e" stroke-width="2"/>
    <text x="${A[0] + r + 8}" y="${A[1] - r / 2 + 5}" font-size="17" fill="#e4572e" font-style="italic">r</text>
    <path d="M ${B[0] - 46} ${B[1]} A 46 46 0 0 0 ${B[0] - 37} ${B[1] - 27}" fill="none" stroke="#1d3557" stroke-width="2"/>
    <text x="${B[0] - 72}" y="${B[1] - 10}" font-size="17" fill="#1d3557" font-style="italic">θ</text>
    <text x="${A[0] - 26}" y="${A[1] + 8}" font-size="20" font-weight="bold" fill="#111">A</text>
    <text x="${B[0] + 10}" y="${B[1] + 8}" font-size="20" font-weight="bold" fill="#111">B</text>
    <text x="${C[0] - 26}" y="${C[1] + 8}" font-size="20" font-weight="bold" fill="#111">C</text>
    <text x="${(A[0] + B[0]) / 2}" y="${A[1] + 30}" text-anchor="middle" font-size="19" fill="#111">8</text>
    <text x="${A[0] - 22}" y="${(A[1] + C[1]) / 2 + 6}" text-anchor="middle" font-size="19" fill="#111">6</text>
    <text x="${(B[0] + C[0]) / 2 + 22}" y="${(B[1] + C[1]) / 2 - 6}" text-anchor="middle" font-size="20" font-style="italic" fill="#111">x</text>
  </svg>`;
}

function scene(): string {
  // A photo-like landscape: graded sky, sun glow, layered hazy mountains, a lake with a reflection, pines.
  const pines = Array.from({ length: 9 }, (_, i) => {
    const x = 24 + i * 53 + (i % 3) * 7;
    const h = 52 + ((i * 37) % 30);
    const base = 232 + (i % 2) * 6;
    return `<polygon points="${x},${base - h} ${x - 14},${base} ${x + 14},${base}" fill="url(#pine)"/>
      <rect x="${x - 2}" y="${base}" width="4" height="8" fill="#3b2a1a"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" ${font}>
    <defs>
      <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="#1f4e89"/><stop offset="0.55" stop-color="#f2a65a"/><stop offset="1" stop-color="#f9d9a6"/>
      </linearGradient>
      <radialGradient id="sun" cx="0.5" cy="0.5" r="0.5">
        <stop offset="0" stop-color="#fff6d5"/><stop offset="0.35" stop-color="#ffd27a" stop-opacity="0.9"/><stop offset="1" stop-color="#ffb347" stop-opacity="0"/>
      </radialGradient>
      <linearGradient id="far" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8a7fa8"/><stop offset="1" stop-color="#b89aa3"/></linearGradient>
      <linearGradient id="near" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#4a4f6e"/><stop offset="1" stop-color="#2c3a4a"/></linearGradient>
      <linearGradient id="lake" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#e9b37a"/><stop offset="1" stop-color="#1c3a5e"/></linearGradient>
      <linearGradient id="pine" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#24452f"/><stop offset="1" stop-color="#10261a"/></linearGradient>
      <filter id="haze"><feGaussianBlur stdDeviation="1.6"/></filter>
      <filter id="grain" x="0" y="0" width="100%" height="100%">
        <feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="1" seed="7" result="n"/>
        <feColorMatrix type="saturate" values="0"/>
        <feComponentTransfer><feFuncA type="linear" slope="0.05"/></feComponentTransfer>
        <feBlend in="SourceGraphic" mode="multiply"/>
      </filter>
    </defs>
    <g filter="url(#grain)">
      <rect width="100%" height="100%" fill="url(#sky)"/>
      <circle cx="330" cy="150" r="70" fill="url(#sun)"/>
      <circle cx="330" cy="150" r="20" fill="#fff3c4"/>
      <path d="M0 180 L60 130 L120 165 L190 105 L260 160 L320 125 L390 170 L450 130 L480 150 L480 215 L0 215 Z" fill="url(#far)" filter="url(#haze)"/>
      <path d="M0 205 L70 160 L140 200 L210 150 L290 205 L360 170 L430 200 L480 180 L480 235 L0 235 Z" fill="url(#near)"/>
      <rect y="235" width="${W}" height="${H - 235}" fill="url(#lake)"/>
      <g opacity="0.35" transform="translate(0 470) scale(1 -1)">
        <path d="M0 205 L70 160 L140 200 L210 150 L290 205 L360 170 L430 200 L480 180 L480 235 L0 235 Z" fill="#2c3a4a" filter="url(#haze)"/>
      </g>
      <ellipse cx="330" cy="262" rx="38" ry="4" fill="#ffe7a8" opacity="0.7"/>
      <ellipse cx="330" cy="276" rx="26" ry="3" fill="#ffe7a8" opacity="0.5"/>
      ${pines}
      <path d="M150 300 q25 -14 50 0 z" fill="#5b3a22"/>
      <line x1="175" y1="296" x2="175" y2="270" stroke="#5b3a22" stroke-width="2"/>
      <path d="M176 272 L196 292 L176 292 Z" fill="#f4f1e8"/>
    </g>
  </svg>`;
}

const SAMPLES: Record<string, () => string> = { chart, geometry, scene };

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: chromiumArgs,
  });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } });
    for (const [name, svg] of Object.entries(SAMPLES)) {
      await page.setContent(`<!doctype html><html><body style="margin:0">${svg()}</body></html>`);
      const file = join(OUT, `${name}.png`);
      await page.screenshot({ path: file, clip: { x: 0, y: 0, width: W, height: H } });
      const bytes = statSync(file).size;
      console.log(`${file}: ${bytes} bytes`);
      if (bytes > MAX_BYTES)
        throw new Error(`${name}.png is ${bytes} bytes, over the ${MAX_BYTES} byte budget`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
