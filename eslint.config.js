import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The layering (README, Architecture): page → client → coordinator → model workers, with code both
// sides use in src/models/ (model files, sources, loading) and src/core/ (pure). Imports only go down.
const intoWorkers = {
  group: ['**/workers/**'],
  message: 'The page never imports from workers/; code both sides use belongs in src/models/ or src/core/.',
};
const intoPage = {
  group: ['**/client/**', '**/ui/**', '**/state/**'],
  message: 'Workers and shared modules never import the page (src/client, src/ui, src/state).',
};
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public/models', 'public/ort', 'test-results', 'playwright-report', 'bench/out'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**/*.{ts,tsx}'], rules: restrict(intoWorkers) },
  { files: ['src/models/**/*.ts'], rules: restrict(intoWorkers, intoPage) },
  { files: ['workers/**/*.ts'], rules: restrict(intoPage) },
  {
    files: ['src/convert/**/*.ts'],
    rules: restrict(intoWorkers, intoPage, {
      group: ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', '**/scripts/**'],
      message: 'The conversion core runs in Node and (later) in a page worker: storage only through src/convert/io.ts.',
    }),
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(intoWorkers, intoPage, {
      group: ['@huggingface/transformers', 'onnxruntime-web', '**/models/**'],
      message: 'src/core/ stays pure TypeScript: no model libraries, no model loading.',
    }),
  },
);
