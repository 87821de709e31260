import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_REPORT_URI, securityHeaders, sourcesFromEnv } from './src/core/securityHeaders';
import { devNonceMiddleware, headersFile, NONCE_PLACEHOLDER, reportSink } from './scripts/serve/policy';

/** Mirrors the page may fetch models from besides the default hub (docs/hosting.md). */
const extraSources = sourcesFromEnv(process.env.PT_CONNECT_SRC);
/** Dev and preview listen on this machine only: a mirror or test hub on loopback is allowed too. */
const localHeaders = securityHeaders({ loopback: true, extraSources, reportUri: LOCAL_REPORT_URI });

/**
 * The security headers on every response: the preview server sends them as they are; the dev server
 * adds a fresh nonce per response for the inline scripts and styles Vite injects; a build writes them
 * as `_headers` (the format several static hosts read) for hosting without loopback.
 */
function securityPolicy(): Plugin {
  return {
    name: 'security-headers',
    config: (_, env) =>
      env.command === 'serve' && !env.isPreview ? { html: { cspNonce: NONCE_PLACEHOLDER } } : {},
    configureServer(server) {
      server.middlewares.use(reportSink());
      server.middlewares.use(devNonceMiddleware(extraSources));
    },
    configurePreviewServer(server) {
      server.middlewares.use(reportSink());
    },
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: '_headers',
        source: headersFile(securityHeaders({ extraSources })),
      });
    },
  };
}

/**
 * onnxruntime-web's .wasm/.mjs runtime files are served from our own origin (/ort/), never a CDN.
 * They are copied from node_modules into public/ort/ (git-ignored) so dev, preview and build agree.
 */
function ortRuntimeFiles(): Plugin {
  return {
    name: 'ort-runtime-files',
    configResolved(config) {
      const src = join(config.root, 'node_modules/onnxruntime-web/dist');
      const dst = join(config.publicDir, 'ort');
      mkdirSync(dst, { recursive: true });
      for (const name of readdirSync(src)) {
        if (!/^ort-wasm-simd-threaded.*\.(wasm|mjs)$/.test(name)) continue;
        const from = join(src, name);
        const to = join(dst, name);
        if (!existsSync(to) || statSync(to).size !== statSync(from).size) copyFileSync(from, to);
      }
    },
  };
}

/**
 * The app as a PWA: a service worker (Workbox) precaches the app shell, the workers and the one
 * onnxruntime WASM build the app runs (the asyncify one, ~26 MB), so after one visit the page opens
 * and runs cached models with no network. Model files are not precached: transformers.js keeps what
 * it downloads in the Cache API ('transformers-cache'). Precached responses keep their headers, so
 * the page served offline is still cross-origin isolated (COOP/COEP).
 */
function offlineApp(): Plugin[] {
  return VitePWA({
    // A new version waits for the user (src/client/model-cache.ts): a reload must not cut a load or run short.
    registerType: 'prompt',
    // src/main.tsx registers the worker itself.
    injectRegister: false,
    manifest: {
      name: 'ProxyThinker Web',
      short_name: 'ProxyThinker',
      description: 'Three vision-language models in the browser: a large one guided by a small RL-tuned one.',
      start_url: '/',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#1f2937',
      icons: [{ src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
    },
    workbox: {
      globPatterns: [
        '**/*.{js,css,html,svg,png,ico,woff2,webmanifest}',
        'ort/ort-wasm-simd-threaded.asyncify.{mjs,wasm}',
        // The demo evaluation set (its PNGs match above): one button works offline too.
        'eval/**/*.jsonl',
      ],
      // Models (public/models, copied into dist) are big and are cached by transformers.js when used;
      // Vite's own copy of the ORT wasm under assets/ is never loaded (wasmPaths points at /ort/).
      globIgnores: ['models/**', 'assets/*.wasm'],
      maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/models\//, /^\/ort\//, /^\/src\//, /^\/__/],
      dontCacheBustURLsMatching: /-[A-Za-z0-9_-]{8}\./,
      cleanupOutdatedCaches: true,
      // The first visit's page is controlled at once, so it works offline without a reload.
      clientsClaim: true,
    },
    devOptions: { enabled: false },
  });
}

export default defineConfig({
  plugins: [react(), ortRuntimeFiles(), offlineApp(), securityPolicy()],
  server: { host: '127.0.0.1' },
  preview: { headers: localHeaders, host: '127.0.0.1' },
  worker: { format: 'es' },
  resolve: {
    alias: [
      {
        // rehype-katex parses KaTeX's HTML with the browser's parser (template.innerHTML), whose
        // style="…" attributes break style-src 'self'. The parse5 build makes a tree instead, and
        // React applies those styles through the CSSOM, which the policy allows.
        find: /^hast-util-from-html-isomorphic$/,
        replacement: fileURLToPath(
          new URL('./node_modules/hast-util-from-html-isomorphic/index.js', import.meta.url),
        ),
      },
    ],
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // Fonts stay files: font-src allows our origin only, not data: URLs.
    assetsInlineLimit: (file) => (/\.(woff2?|ttf)$/.test(file) ? false : undefined),
    rolldownOptions: {
      // The model manager also works as a page of its own (src/ui/models/page.html).
      input: { main: 'index.html', models: 'src/ui/models/page.html' },
    },
  },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
