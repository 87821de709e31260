import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Cross-origin isolation: SharedArrayBuffer, Atomics.wait in workers and multi-threaded WASM. */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

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

export default defineConfig({
  plugins: [react(), ortRuntimeFiles()],
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
