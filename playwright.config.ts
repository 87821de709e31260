import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests run the production build (`vite preview`) in the system Chromium.
 * No browser is downloaded: CHROME_PATH, else Debian's /usr/bin/chromium.
 * WebGPU runs on SwiftShader (CPU) thanks to --enable-unsafe-webgpu; it needs a page on localhost.
 */
// E2E_PORT lets two checkouts on one machine run their suites side by side; CI uses 4173.
const PORT = Number(process.env.E2E_PORT || 4173);
const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1280, height: 800 },
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROME_PATH,
      args: chromiumArgs,
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    // `vite build`, not `npm run build`: type checking (tsc) is the lint step's job, and a type error
    // elsewhere in the repo should not hide the browser tests' results.
    command: `npx vite build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 300_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
