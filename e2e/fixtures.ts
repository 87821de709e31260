import { describeReport } from '../scripts/serve/policy';
import { LOCAL_REPORT_URI } from '../src/core/securityHeaders';
import {
  test as base,
  expect,
  type BrowserContext,
  type ConsoleMessage,
  type TestInfo,
} from '@playwright/test';

/** Hosts the app may talk to. Everything else is aborted and fails the test. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for http(s)/ws(s) URLs whose host is not local. data:, blob: and the like are never external. */
export function isExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!/^(https?|wss?):$/.test(parsed.protocol)) return false;
  return !LOCAL_HOSTS.has(parsed.hostname);
}

export interface GuardOptions {
  /**
   * When true, external requests are still aborted and recorded in `externalRequests`, but the
   * test is not failed for them. Only for tests that check the guard itself.
   */
  allowExternalRequests: boolean;
  /**
   * When true, Content-Security-Policy violations are recorded in `cspViolations` but do not fail
   * the test. Only for tests that break the policy on purpose to see it hold.
   */
  allowCspViolations: boolean;
}

export interface GuardFixtures {
  /** URLs of external requests seen so far (aborted, de-duplicated, in order of first sight). */
  externalRequests: string[];
  /** `console.error` messages and uncaught page errors, from pages and workers. Not a failure by itself. */
  consoleErrors: string[];
  /** Content-Security-Policy violations seen in pages (events) and workers (their console reports). */
  cspViolations: string[];
  /** Auto fixture: installs the network guard, the CSP watch and console collection; checks them at the end. */
  networkGuard: undefined;
}

/** What one browser context did that a test may forbid. */
export interface GuardRecord {
  externalRequests: string[];
  consoleErrors: string[];
  cspViolations: string[];
  /** Local documents served without a Content-Security-Policy header. */
  documentsWithoutCsp: string[];
  /** Header checks still under way (response headers are read asynchronously). */
  pending: Promise<void>[];
}

export function emptyGuardRecord(): GuardRecord {
  return { externalRequests: [], consoleErrors: [], cspViolations: [], documentsWithoutCsp: [], pending: [] };
}

function describeConsole(msg: ConsoleMessage): string {
  const loc = msg.location();
  const where = loc.url ? ` (${loc.url}:${loc.lineNumber}:${loc.columnNumber})` : '';
  const worker = msg.worker() ? ` [worker ${msg.worker()?.url()}]` : '';
  return `console.${msg.type()}: ${msg.text()}${where}${worker}`;
}

/** Chromium's console report of a blocked load, eval or inline script ("Refused to … Content Security Policy …"). */
const CSP_CONSOLE = /Content Security Policy|Content-Security-Policy/i;

declare global {
  interface Window {
    __e2eCspViolation?: (report: string) => Promise<void>;
  }
}

/**
 * The guard on one context: external requests are aborted and recorded; CSP violations, console
 * errors and local documents without a CSP header are recorded. Used by the auto fixture below and
 * by suites that share one page between tests (e2e/shared-page.ts).
 */
export async function installGuard(context: BrowserContext, rec: GuardRecord): Promise<void> {
  const seen = new Set<string>();
  const record = (url: string) => {
    if (!isExternalUrl(url) || seen.has(url)) return;
    seen.add(url);
    rec.externalRequests.push(url);
  };

  // The guard proper: every HTTP(S) request of every page, worker and service worker of the
  // context passes through this route; external ones are aborted before leaving the browser.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isExternalUrl(url)) {
      record(url);
      await route.abort('blockedbyclient');
    } else {
      await route.fallback();
    }
  });
  // WebSockets are not HTTP requests: route them separately.
  await context.routeWebSocket(
    (url) => isExternalUrl(url.href),
    (ws) => {
      record(ws.url());
      void ws.close({ code: 1008, reason: 'external WebSocket blocked by e2e network guard' });
    },
  );

  // The local servers' policy sends violation reports here (report-uri): pages' and workers' alike.
  await context.route(
    (url) => url.pathname === LOCAL_REPORT_URI,
    async (route) => {
      rec.cspViolations.push(`report: ${describeReport(route.request().postData() ?? '')}`);
      await route.fulfill({ status: 204 });
    },
  );

  // Belt and braces: anything that shows up in the network events is recorded too (e.g. a
  // request that escaped routing, such as one served from a service worker's fetch handler).
  const onRequest = (req: { url(): string }) => record(req.url());
  context.on('request', onRequest);
  context.on('requestfailed', onRequest);

  // Every page reports its securitypolicyviolation events; workers have no init scripts, but
  // Chromium writes each violation to the console of the worker it happened in.
  await context.exposeBinding('__e2eCspViolation', (_source, report: string) => {
    rec.cspViolations.push(report);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        void window.__e2eCspViolation?.(
          `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.documentURI} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`,
        );
      },
      true,
    );
  });
  // The policy must be in force: every local document carries the header.
  context.on('response', (res) => {
    if (
      res.request().resourceType() !== 'document' ||
      isExternalUrl(res.url()) ||
      !/^https?:/.test(res.url())
    )
      return;
    rec.pending.push(
      res
        .headerValue('content-security-policy')
        .then((v) => {
          if (!v) rec.documentsWithoutCsp.push(res.url());
        })
        .catch(() => undefined),
    );
  });

  // The context's console event covers pages, dedicated workers and service workers.
  const onConsole = (msg: ConsoleMessage) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (CSP_CONSOLE.test(msg.text()) && !/Report-Only/i.test(msg.text()))
      rec.cspViolations.push(describeConsole(msg));
    if (msg.type() === 'error') rec.consoleErrors.push(describeConsole(msg));
  };
  const onWebError = (err: { error(): Error }) => {
    const e = err.error();
    rec.consoleErrors.push(`pageerror: ${e.stack ?? e.message}`);
  };
  context.on('console', onConsole);
  context.on('weberror', onWebError);
}

/** Fails the test for what the guard recorded (unless allowed), then forgets it. */
export async function checkGuard(
  rec: GuardRecord,
  testInfo: TestInfo,
  opts: Pick<GuardOptions, 'allowExternalRequests' | 'allowCspViolations'>,
): Promise<void> {
  // Violation reports travel as requests of their own: give the last ones a moment to arrive.
  await new Promise((r) => setTimeout(r, 100));
  await Promise.all(rec.pending.splice(0));
  const attach = async (name: string, lines: string[]) => {
    if (lines.length > 0) await testInfo.attach(name, { body: lines.join('\n'), contentType: 'text/plain' });
  };
  await attach('console-errors', rec.consoleErrors);
  await attach('external-requests', rec.externalRequests);
  await attach('csp-violations', rec.cspViolations);
  const external = rec.externalRequests.splice(0);
  const violations = rec.cspViolations.splice(0);
  const noCsp = rec.documentsWithoutCsp.splice(0);
  rec.consoleErrors.splice(0);
  if (!opts.allowExternalRequests) {
    expect(external, 'the page tried to reach hosts other than localhost (requests were aborted)').toEqual(
      [],
    );
  }
  expect(noCsp, 'local documents served without a Content-Security-Policy header').toEqual([]);
  if (!opts.allowCspViolations) {
    expect(violations, 'the page broke its Content-Security-Policy').toEqual([]);
  }
}

// Fixture callbacks name their second parameter `provide`, not `use`: React's hooks lint rule would
// mistake `use(...)` for the React 19 hook.
export const test = base.extend<GuardOptions & GuardFixtures & { guardRecord: GuardRecord }>({
  allowExternalRequests: [false, { option: true }],
  allowCspViolations: [false, { option: true }],

  // eslint-disable-next-line no-empty-pattern -- Playwright needs a destructuring pattern here
  guardRecord: async ({}, provide) => {
    await provide(emptyGuardRecord());
  },
  externalRequests: async ({ guardRecord }, provide) => {
    await provide(guardRecord.externalRequests);
  },
  consoleErrors: async ({ guardRecord }, provide) => {
    await provide(guardRecord.consoleErrors);
  },
  cspViolations: async ({ guardRecord }, provide) => {
    await provide(guardRecord.cspViolations);
  },

  networkGuard: [
    async ({ context, guardRecord, allowExternalRequests, allowCspViolations }, provide, testInfo) => {
      await installGuard(context, guardRecord);
      // The route and listeners stay until the context closes, so late requests are still caught.
      await provide(undefined);
      await checkGuard(guardRecord, testInfo, { allowExternalRequests, allowCspViolations });
    },
    { auto: true },
  ],
});

export { expect };
