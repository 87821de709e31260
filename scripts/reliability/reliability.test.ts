import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderReliabilityDoc } from './doc';
import { listBrowserFaults, listNodeFaults, type FaultCase } from './list';
import { DOC } from './main';
import { parseFaultTitle } from './titles';

describe('fault titles', () => {
  it('splits a fault title into its three parts; other titles are not fault cases', () => {
    expect(parseFaultTitle('fault: a 404 | sees: the file named | kept: the other models')).toEqual({
      fault: 'a 404',
      sees: 'the file named',
      kept: 'the other models',
    });
    expect(parseFaultTitle('loads the trio')).toBeNull();
  });

  it('refuses a malformed fault title, so a case cannot drop out of the table unnoticed', () => {
    expect(() => parseFaultTitle('fault: a 404 | kept: the other models')).toThrow(
      /malformed fault test title/,
    );
    expect(() => parseFaultTitle('fault: a 404 | sees:  | kept: x')).toThrow(/malformed/);
    expect(() => parseFaultTitle('fault: a | sees: b | kept: c | d')).toThrow(/malformed/);
  });

  it('renders one row per case, escaping pipes in cells', () => {
    const c: FaultCase = {
      fault: 'f',
      sees: 'a \\| b',
      kept: 'k',
      layer: 'node',
      file: 'x.test.ts',
      skipped: false,
      knownGap: null,
    };
    const doc = renderReliabilityDoc([c, { ...c, layer: 'browser', file: 'e2e/y.spec.ts' }]);
    expect(doc).toContain('2 fault cases run in CI: 1 in the browser');
    expect(doc).toContain('| 1 | f | a \\\\| b | k | [x.test.ts](../x.test.ts) |');
  });
});

describe('docs/reliability.md', () => {
  let node: FaultCase[] = [];
  let browser: FaultCase[] = [];
  beforeAll(() => {
    node = listNodeFaults(process.cwd());
    browser = listBrowserFaults(process.cwd());
  });

  it('is generated from the current fault tests (npm run reliability rewrites it)', () => {
    expect(readFileSync(DOC, 'utf8'), `${DOC} is stale: run npm run reliability`).toBe(
      renderReliabilityDoc([...browser, ...node]),
    );
  });

  it('lists at least 25 fault cases that pass (known gaps aside), none skipped, in both layers', () => {
    const all = [...browser, ...node];
    expect(all.filter((c) => !c.knownGap).length).toBeGreaterThanOrEqual(25);
    expect(all.filter((c) => c.skipped).map((c) => c.fault)).toEqual([]);
    expect(browser.length).toBeGreaterThan(0);
    expect(node.length).toBeGreaterThan(0);
    expect(new Set(all.map((c) => c.fault)).size, 'each fault is named once').toBe(all.length);
  });
});
