/**
 * The fault cases as the test runners see them: Playwright's own test list (loops expanded), and the
 * Vitest files read as TypeScript (a Node fault title must be a plain string, so what is read is
 * what runs).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { FAULT_PREFIX, parseFaultTitle, type FaultTitle } from './titles';

export interface FaultCase extends FaultTitle {
  /** 'browser': Playwright in Chromium against the built app; 'node': Vitest in Node. */
  layer: 'browser' | 'node';
  /** Repository-relative path of the test file. */
  file: string;
  skipped: boolean;
  /** A case marked as expected to fail (test.fail), with the reason it gives: a gap another change closes. */
  knownGap: string | null;
}

interface PwSpec {
  title: string;
  file: string;
  tests: { expectedStatus: string; annotations?: { type: string; description?: string }[] }[];
}
interface PwSuite {
  specs?: PwSpec[];
  suites?: PwSuite[];
}

/** Every Playwright test whose title is a fault title. */
export function listBrowserFaults(root: string): FaultCase[] {
  const out = spawnSync('npx', ['playwright', 'test', '--list', '--reporter=json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`playwright test --list failed:\n${out.stderr}`);
  const report = JSON.parse(out.stdout) as {
    suites: PwSuite[];
    config: { rootDir: string };
    errors?: { message?: string }[];
  };
  if (report.errors?.length)
    throw new Error(`playwright test --list: ${report.errors.map((e) => e.message).join('\n')}`);
  const cases: FaultCase[] = [];
  const walk = (s: PwSuite) => {
    for (const spec of s.specs ?? []) {
      const t = parseFaultTitle(spec.title);
      if (!t) continue;
      const file = relative(root, join(report.config.rootDir, spec.file));
      // `test.fail(title, …)` shows in the list as a 'fail' annotation (the expected status is
      // only settled when the test runs).
      const marks = spec.tests.flatMap((x) => x.annotations ?? []).filter((a) => a.type === 'fail');
      const failing = marks.length > 0 || spec.tests.some((x) => x.expectedStatus === 'failed');
      const gap = failing ? (marks.find((a) => a.description)?.description ?? 'marked to fail') : null;
      cases.push({
        ...t,
        layer: 'browser',
        file,
        skipped: spec.tests.every((x) => x.expectedStatus === 'skipped'),
        knownGap: gap,
      });
    }
    for (const c of s.suites ?? []) walk(c);
  };
  for (const s of report.suites) walk(s);
  return cases;
}

const TEST_DIRS = ['src', 'scripts', 'workers'];

function testFiles(root: string): string[] {
  const files: string[] = [];
  for (const dir of TEST_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.test.ts')) files.push(join(entry.parentPath, entry.name));
    }
  }
  return files.sort();
}

/** `it(…)`, `test(…)` and their `.skip` / `.todo` / `.fails` / `.only` forms. */
function testCall(callee: ts.Expression): { skipped: boolean; fails: boolean } | null {
  if (ts.isIdentifier(callee))
    return ['it', 'test'].includes(callee.text) ? { skipped: false, fails: false } : null;
  if (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    ['it', 'test'].includes(callee.expression.text)
  ) {
    const how = callee.name.text;
    if (['skip', 'todo'].includes(how)) return { skipped: true, fails: false };
    if (how === 'fails') return { skipped: false, fails: true };
    if (['only', 'concurrent', 'sequential'].includes(how)) return { skipped: false, fails: false };
  }
  return null;
}

/** Every Vitest test whose title is a fault title (a title built at run time is refused). */
export function listNodeFaults(root: string): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const path of testFiles(root)) {
    const text = readFileSync(path, 'utf8');
    if (!text.includes(FAULT_PREFIX)) continue;
    const file = relative(root, path);
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node)) {
        const call = testCall(node.expression);
        const [first] = node.arguments;
        if (call && first) {
          if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) {
            const t = parseFaultTitle(first.text);
            if (t)
              cases.push({
                ...t,
                layer: 'node',
                file,
                skipped: call.skipped,
                knownGap: call.fails ? 'marked to fail (it.fails)' : null,
              });
          } else if (ts.isTemplateExpression(first) && first.head.text.startsWith(FAULT_PREFIX)) {
            throw new Error(
              `${file}: a Node fault title must be a plain string (it is read without running the file)`,
            );
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return cases;
}
