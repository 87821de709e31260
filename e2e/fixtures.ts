import { test as base, expect, type ConsoleMessage } from '@playwright/test';

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
}

export interface GuardFixtures {
  /** URLs of external requests seen so far (aborted, de-duplicated, in order of first sight). */
  externalRequests: string[];
  /** `console.error` messages and uncaught page errors, from pages and workers. Not a failure by itself. */
  consoleErrors: string[];
  /** Auto fixture: installs the network guard and console collection; checks the guard at the end. */
  networkGuard: undefined;
}

function describeConsole(msg: ConsoleMessage): string {
  const loc = msg.location();
  const where = loc.url ? ` (${loc.url}:${loc.lineNumber}:${loc.columnNumber})` : '';
  const worker = msg.worker() ? ` [worker ${msg.worker()?.url()}]` : '';
  return `console.error: ${msg.text()}${where}${worker}`;
}

// Fixture callbacks name their second parameter `provide`, not `use`: React's hooks lint rule would
// mistake `use(...)` for the React 19 hook.
export const test = base.extend<GuardOptions & GuardFixtures>({
  allowExternalRequests: [false, { option: true }],

  // eslint-disable-next-line no-empty-pattern -- Playwright needs a destructuring pattern here
  externalRequests: async ({}, provide) => {
    await provide([]);
  },

  // eslint-disable-next-line no-empty-pattern -- Playwright needs a destructuring pattern here
  consoleErrors: async ({}, provide) => {
    await provide([]);
  },

  networkGuard: [
    async ({ context, externalRequests, consoleErrors, allowExternalRequests }, provide, testInfo) => {
      const seen = new Set<string>();
      const record = (url: string) => {
        if (!isExternalUrl(url) || seen.has(url)) return;
        seen.add(url);
        externalRequests.push(url);
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

      // Belt and braces: anything that shows up in the network events is recorded too (e.g. a
      // request that escaped routing, such as one served from a service worker's fetch handler).
      const onRequest = (req: { url(): string }) => record(req.url());
      context.on('request', onRequest);
      context.on('requestfailed', onRequest);

      // The context's console event covers pages, dedicated workers and service workers.
      const onConsole = (msg: ConsoleMessage) => {
        if (msg.type() === 'error') consoleErrors.push(describeConsole(msg));
      };
      const onWebError = (err: { error(): Error }) => {
        const e = err.error();
        consoleErrors.push(`pageerror: ${e.stack ?? e.message}`);
      };
      context.on('console', onConsole);
      context.on('weberror', onWebError);

      // The route and listeners stay until the context closes, so late requests are still caught.
      await provide(undefined);

      if (consoleErrors.length > 0) {
        await testInfo.attach('console-errors', {
          body: consoleErrors.join('\n'),
          contentType: 'text/plain',
        });
      }
      if (externalRequests.length > 0) {
        await testInfo.attach('external-requests', {
          body: externalRequests.join('\n'),
          contentType: 'text/plain',
        });
      }
      if (!allowExternalRequests) {
        expect(
          externalRequests,
          'the page tried to reach hosts other than localhost (requests were aborted)',
        ).toEqual([]);
      }
    },
    { auto: true },
  ],
});

export { expect };
