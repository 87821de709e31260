import { describe, expect, it } from 'vitest';
import {
  exportFileName,
  historyToJson,
  historyToMarkdown,
  parseHistoryEntry,
  parseHistoryImport,
  parseHistoryTokens,
  type HistoryEntry,
} from './history';

const entry: HistoryEntry = {
  version: 2,
  id: 'abc',
  createdAt: Date.UTC(2026, 0, 31, 12, 30, 5),
  question: 'What is x?\nShow steps.',
  image: { name: 'geometry.png', width: 480, height: 320, thumbnail: 'data:image/jpeg;base64,AAAA' },
  settings: {
    presetId: 'tiny',
    trioLabel: 'Tiny test trio (local)',
    models: { base: 'tiny-base', expert: 'tiny-expert', amateur: 'tiny-amateur' },
    backend: 'wasm',
    dtype: 'fp32',
    mode: 'side-by-side',
    alpha: 0.5,
    sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 },
    maxNewTokens: 16,
    resolution: 'smart',
  },
  alphaChanges: [{ fromIndex: 4, alpha: 1.2 }],
  outputs: {
    base: {
      text: 'base says ``` hi',
      reason: 'max_tokens',
      error: null,
      tokenCount: 16,
      ttftMs: 120,
      tokensPerSecond: 30,
    },
    guided: {
      text: 'Wait, <img src=x onerror=alert(1)>',
      reason: 'eos',
      error: null,
      tokenCount: 9,
      ttftMs: 130,
      tokensPerSecond: null,
    },
  },
  prefillMs: 80,
  prefillReused: false,
  totalMs: 900,
  vision: {
    resolution: 'smart',
    image: [240, 160],
    visualTokens: { base: 16, expert: 16, amateur: 16 },
    escalation: {
      stream: 'guided',
      atIndex: 3,
      image: { low: [240, 160], full: [480, 320] },
      visualTokens: {
        base: { low: 16, full: 64 },
        expert: { low: 16, full: 64 },
        amateur: { low: 16, full: 64 },
      },
    },
  },
};

describe('parseHistoryEntry', () => {
  it('accepts a well-formed entry unchanged', () => {
    expect(parseHistoryEntry(structuredClone(entry))).toEqual(entry);
  });
  it('rejects non-entries', () => {
    expect(parseHistoryEntry(null)).toBeNull();
    expect(parseHistoryEntry({ id: 'x' })).toBeNull();
    expect(parseHistoryEntry({ id: '', outputs: { base: { text: 'a' } } })).toBeNull();
  });
  it('fills defaults for a minimal entry and drops unknown streams', () => {
    const e = parseHistoryEntry({ id: 'm', outputs: { guided: { text: 'hi' }, other: { text: 'x' } } });
    expect(e?.outputs).toEqual({
      guided: { text: 'hi', reason: null, error: null, tokenCount: 0, ttftMs: null, tokensPerSecond: null },
    });
    expect(e?.settings.mode).toBe('side-by-side');
    expect(e?.image).toBeNull();
  });
  it('reads an entry saved before version 2 as a full-resolution run without a vision record', () => {
    const { vision: _vision, ...old } = structuredClone(entry);
    const { resolution: _resolution, ...settings } = old.settings;
    const e = parseHistoryEntry({ ...old, version: 1, settings });
    expect(e?.settings.resolution).toBe('full');
    expect(e?.vision).toBeNull();
    expect(e?.outputs).toEqual(entry.outputs);
  });
  it('drops a malformed escalation but keeps the rest of the vision record', () => {
    const e = parseHistoryEntry({
      ...entry,
      vision: { ...entry.vision, escalation: { stream: 'guided', atIndex: -1, image: {} } },
    });
    expect(e?.vision?.visualTokens).toEqual({ base: 16, expert: 16, amateur: 16 });
    expect(e?.vision?.escalation).toBeNull();
  });
  it('drops a thumbnail that is not a data: image URL', () => {
    const e = parseHistoryEntry({
      ...entry,
      image: { ...entry.image, thumbnail: 'http://evil.example/x.png' },
    });
    expect(e?.image).toBeNull();
  });
});

describe('parseHistoryTokens', () => {
  it('keeps well-formed tokens of known streams', () => {
    const t = { index: 0, id: 5, text: 'a', alpha: 0.5 };
    expect(parseHistoryTokens({ guided: [t, { index: 'x' }], nope: [t] })).toEqual({ guided: [t] });
    expect(parseHistoryTokens(undefined)).toEqual({});
  });
});

describe('exports', () => {
  it('Markdown holds the question, settings and both outputs verbatim', () => {
    const md = historyToMarkdown(entry);
    expect(md).toContain('> What is x?\n> Show steps.');
    expect(md).toContain('| Mode | Side by side (base | guided) |');
    expect(md).toContain('1.2 from token 4');
    expect(md).toContain(
      '| Resolution | Smart resolution (image 240×160, visual tokens base 16, expert 16, amateur 16; full image 480×320 asked for at guided token 3 (base 64, expert 64, amateur 64 visual tokens)) |',
    );
    expect(md).toContain('## Base output');
    expect(md).toContain('## Guided output');
    // The fence is longer than the triple backticks inside the base output.
    expect(md).toContain('````text\nbase says ``` hi\n````');
    expect(md).toContain('Wait, <img src=x onerror=alert(1)>');
  });
  it('JSON round-trips entries', () => {
    const doc = JSON.parse(historyToJson([entry], 0)) as { format: string; entries: unknown[] };
    expect(doc.format).toBe('proxythinker-history');
    expect(parseHistoryEntry(doc.entries[0])).toEqual(entry);
  });
  it('file names carry the date', () => {
    expect(exportFileName(entry.createdAt, 'md')).toBe('proxythinker-2026-01-31T12-30-05.md');
  });
});

describe('parseHistoryImport', () => {
  const good = {
    id: 'a1',
    createdAt: 5,
    question: 'q <b>bold?</b>',
    outputs: { guided: { text: 'out', reason: 'eos', tokenCount: 1 } },
    tokens: { guided: [{ index: 0, id: 7, text: 'out', alpha: 0.5 }, { index: 'x' }] },
    image: { name: 'i.png', width: 1, height: 1, thumbnail: 'javascript:alert(1)' },
  };

  it('reads an export back, entry by entry, checking each as stored data is checked', () => {
    const text = JSON.stringify({
      format: 'proxythinker-history',
      version: 2,
      entries: [good, { id: 'b' }, 42],
    });
    const { entries, problems } = parseHistoryImport(text, 'h.json');
    expect(entries.map((e) => e.id)).toEqual(['a1']);
    expect(entries[0]?.question).toBe('q <b>bold?</b>'); // text stays text; the page never renders it as HTML
    expect(entries[0]?.image).toBeNull(); // a thumbnail must be a data: image URL
    expect(entries[0]?.tokens.guided).toEqual([{ index: 0, id: 7, text: 'out', alpha: 0.5 }]);
    expect(problems).toEqual([
      'entry 2: not a saved run (it needs an id and at least one output with text)',
      'entry 3: not a saved run (it needs an id and at least one output with text)',
    ]);
  });

  it('refuses a file that is not JSON or not an export, naming it', () => {
    expect(() => parseHistoryImport('{"format":', 'broken.json')).toThrow(
      /^"broken\.json" is not valid JSON \(/,
    );
    expect(() => parseHistoryImport('{"entries": []}', 'other.json')).toThrow(
      '"other.json" is not a ProxyThinker history export',
    );
  });
});
