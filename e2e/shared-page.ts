/**
 * One page for several tests of a serial suite (faults that do not interfere share a page load and a
 * model load, which keeps CI short). The page's context gets the same guard as every other test:
 * after each test, an external request, a Content-Security-Policy violation or a local document
 * without the policy fails that test.
 */
import type { BrowserContext, BrowserContextOptions, Page } from '@playwright/test';
import { checkGuard, emptyGuardRecord, installGuard, test } from './fixtures';

export interface SharedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors of the shared context since the last test ended. */
  readonly consoleErrors: string[];
}

/** Call at the top of a `test.describe.configure({ mode: 'serial' })` file or describe block. */
export function sharedPage(options: BrowserContextOptions = {}): SharedPage {
  let context: BrowserContext | null = null;
  let page: Page | null = null;
  const rec = emptyGuardRecord();
  test.beforeAll(async ({ browser }, testInfo) => {
    const use = testInfo.project.use;
    context = await browser.newContext({
      ...(use.baseURL ? { baseURL: use.baseURL } : {}),
      ...(use.viewport ? { viewport: use.viewport } : {}),
      ...options,
    });
    await installGuard(context, rec);
    page = await context.newPage();
  });
  // eslint-disable-next-line no-empty-pattern -- Playwright needs a destructuring pattern here
  test.afterEach(async ({}, testInfo) => {
    await checkGuard(rec, testInfo, { allowExternalRequests: false, allowCspViolations: false });
  });
  test.afterAll(async () => {
    await context?.close();
  });
  const need = <T>(v: T | null, what: string): T => {
    if (!v) throw new Error(`the shared ${what} is not open (beforeAll failed?)`);
    return v;
  };
  return {
    get page() {
      return need(page, 'page');
    },
    get context() {
      return need(context, 'context');
    },
    consoleErrors: rec.consoleErrors,
  };
}
