/**
 * The demo evaluation set shipped with the app (public/eval/demo/): pictures drawn from SVG in
 * headless Chromium — bar charts, dots to count, simple geometry, colours — each with a question whose
 * answer follows from the drawing, across every answer type. Run with `npx tsx scripts/make-eval-demo.ts`;
 * the PNGs and demo.jsonl are committed, so this only needs re-running when an item changes.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs } from '../playwright.config';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'public/eval/demo');
const S = 336; // 24 × 24 patches of 14 px: 144 visual tokens for Qwen2.5-VL at full resolution
const MAX_BYTES = 30_000;
const font = `font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"`;

interface DemoItem {
  id: string;
  svg: string;
  question: string;
  answer: string;
  answer_type: 'multiple_choice' | 'integer' | 'float' | 'text';
  choices?: string[];
  precision?: number;
  topic: string;
}

const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" ${font}><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;

/** Bars with a labelled y axis (0…max in steps of 2) and a name under each bar. */
function bars(values: number[], labels: string[], colours: string[]): string {
  const x0 = 48;
  const y0 = 290;
  const top = 30;
  const max = 10;
  const unit = (y0 - top) / max;
  const grid = Array.from({ length: max / 2 + 1 }, (_, i) => i * 2)
    .map(
      (v) =>
        `<line x1="${x0}" x2="${S - 12}" y1="${y0 - v * unit}" y2="${y0 - v * unit}" stroke="#d5d9de"/><text x="${x0 - 8}" y="${y0 - v * unit + 5}" text-anchor="end" font-size="15" fill="#333">${v}</text>`,
    )
    .join('');
  const w = (S - x0 - 24) / values.length;
  const body = values
    .map((v, i) => {
      const x = x0 + 10 + i * w;
      return `<rect x="${x}" y="${y0 - v * unit}" width="${w - 20}" height="${v * unit}" fill="${colours[i % colours.length]}"/><text x="${x + (w - 20) / 2}" y="${y0 + 22}" text-anchor="middle" font-size="16" fill="#222">${labels[i]}</text>`;
    })
    .join('');
  return svg(
    `${grid}<line x1="${x0}" x2="${x0}" y1="${top - 6}" y2="${y0}" stroke="#222" stroke-width="2"/><line x1="${x0}" x2="${S - 12}" y1="${y0}" y2="${y0}" stroke="#222" stroke-width="2"/>${body}`,
  );
}

/** Dots at fixed, well-separated places; red and blue alternate until one colour runs out. */
function dots(red: number, blue: number): string {
  const spots = [
    [60, 60],
    [170, 50],
    [280, 70],
    [90, 150],
    [200, 140],
    [290, 170],
    [50, 250],
    [150, 240],
    [250, 270],
    [110, 300],
    [300, 300],
    [200, 310],
  ];
  let r = 0;
  let b = 0;
  const out = spots.slice(0, red + blue).map(([x, y], i) => {
    const isRed = (i % 2 === 0 && r < red) || b >= blue;
    if (isRed) r++;
    else b++;
    return `<circle cx="${x}" cy="${y}" r="20" fill="${isRed ? '#d7263d' : '#1b6ed6'}"/>`;
  });
  return svg(out.join(''));
}

const label = (x: number, y: number, t: string, size = 20) =>
  `<text x="${x}" y="${y}" text-anchor="middle" font-size="${size}" font-weight="bold" fill="#111">${t}</text>`;

const ITEMS: DemoItem[] = [
  {
    id: 'bars-height',
    topic: 'bar chart',
    svg: bars([4, 9, 7, 2], ['A', 'B', 'C', 'D'], ['#2e6fdb']),
    question: 'What is the height of bar C?',
    answer: '7',
    answer_type: 'integer',
  },
  {
    id: 'bars-tallest',
    topic: 'bar chart',
    svg: bars(
      [5, 3, 8, 6],
      ['apples', 'pears', 'plums', 'figs'],
      ['#e4572e', '#76b041', '#7b3fa0', '#f2a541'],
    ),
    question: 'Which fruit has the tallest bar?',
    answer: 'plums',
    answer_type: 'multiple_choice',
    choices: ['apples', 'pears', 'plums', 'figs'],
  },
  {
    id: 'bars-difference',
    topic: 'bar chart',
    svg: bars([3, 8, 5], ['X', 'Y', 'Z'], ['#2e6fdb', '#e4572e', '#76b041']),
    question: 'How much taller is bar Y than bar X?',
    answer: '5',
    answer_type: 'integer',
  },
  {
    id: 'dots-red',
    topic: 'counting',
    svg: dots(5, 3),
    question: 'How many red dots are there?',
    answer: '5',
    answer_type: 'integer',
  },
  {
    id: 'dots-total',
    topic: 'counting',
    svg: dots(4, 5),
    question: 'How many dots are there in total?',
    answer: '9',
    answer_type: 'integer',
  },
  {
    id: 'dots-more',
    topic: 'counting',
    svg: dots(3, 6),
    question: 'Are there more red dots than blue dots?',
    answer: 'No',
    answer_type: 'multiple_choice',
    choices: ['Yes', 'No'],
  },
  {
    id: 'rect-area',
    topic: 'geometry',
    svg: svg(
      `<rect x="48" y="88" width="240" height="160" fill="#dbe8fb" stroke="#1b4f9c" stroke-width="3"/>${label(168, 78, '6 cm')}${label(318, 174, '4 cm')}`,
    ),
    question: 'What is the area of the rectangle in square centimetres?',
    answer: '24',
    answer_type: 'integer',
  },
  {
    id: 'triangle-hypotenuse',
    topic: 'geometry',
    svg: svg(
      `<path d="M60 280 L276 280 L60 118 Z" fill="#fde9d9" stroke="#b5451b" stroke-width="3"/><rect x="60" y="262" width="18" height="18" fill="none" stroke="#b5451b" stroke-width="2"/>${label(168, 310, '4')}${label(40, 206, '3')}${label(186, 186, '?')}`,
    ),
    question: 'The legs of the right triangle are 3 and 4. How long is the side marked "?"',
    answer: '5',
    answer_type: 'integer',
  },
  {
    id: 'circle-circumference',
    topic: 'geometry',
    svg: svg(
      `<circle cx="168" cy="168" r="110" fill="#e6f4ea" stroke="#1e7b3a" stroke-width="3"/><line x1="168" y1="168" x2="278" y2="168" stroke="#1e7b3a" stroke-width="3"/><circle cx="168" cy="168" r="4" fill="#1e7b3a"/>${label(223, 158, 'r = 2')}`,
    ),
    question: 'What is the circumference of the circle? Round to one decimal place.',
    answer: '12.6',
    answer_type: 'float',
    precision: 1,
  },
  {
    id: 'triangle-angle',
    topic: 'geometry',
    svg: svg(
      `<path d="M40 280 L296 280 L190 70 Z" fill="#f3e8fb" stroke="#6a2c91" stroke-width="3"/>${label(80, 268, '50°', 18)}${label(262, 268, '60°', 18)}${label(190, 112, 'x', 20)}`,
    ),
    question: 'Two angles of the triangle are 50° and 60°. What is x in degrees?',
    answer: '70',
    answer_type: 'integer',
  },
  {
    id: 'shaded-fraction',
    topic: 'fractions',
    svg: svg(
      `<circle cx="168" cy="168" r="120" fill="#fff" stroke="#222" stroke-width="3"/><path d="M168 168 L168 48 A120 120 0 0 1 288 168 Z" fill="#2e6fdb"/><line x1="48" y1="168" x2="288" y2="168" stroke="#222" stroke-width="3"/><line x1="168" y1="48" x2="168" y2="288" stroke="#222" stroke-width="3"/>`,
    ),
    question: 'What fraction of the circle is shaded? Answer as a decimal number.',
    answer: '0.25',
    answer_type: 'float',
    precision: 2,
  },
  {
    id: 'largest-colour',
    topic: 'colours',
    svg: svg(
      `<circle cx="90" cy="110" r="45" fill="#d7263d"/><circle cx="220" cy="200" r="95" fill="#1e9e4a"/><circle cx="80" cy="270" r="30" fill="#1b6ed6"/>`,
    ),
    question: 'What colour is the largest circle?',
    answer: 'green',
    answer_type: 'text',
  },
];

async function main(): Promise<void> {
  mkdirSync(join(OUT, 'images'), { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: chromiumArgs,
  });
  const rows: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: S, height: S } });
    for (const it of ITEMS) {
      await page.setContent(`<!doctype html><html><body style="margin:0">${it.svg}</body></html>`);
      const file = join(OUT, 'images', `${it.id}.png`);
      await page.screenshot({ path: file, clip: { x: 0, y: 0, width: S, height: S } });
      const bytes = statSync(file).size;
      if (bytes > MAX_BYTES)
        throw new Error(`${it.id}.png is ${bytes} bytes, over the ${MAX_BYTES} byte budget`);
      const { svg: _svg, ...fields } = it;
      rows.push(JSON.stringify({ ...fields, image: `images/${it.id}.png` }));
      console.log(`${file}: ${bytes} bytes`);
    }
  } finally {
    await browser.close();
  }
  writeFileSync(join(OUT, 'demo.jsonl'), `${rows.join('\n')}\n`);
  console.log(`${join(OUT, 'demo.jsonl')}: ${rows.length} items`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
