/** The page's file list and cache-key mapping agree with transformers.js. */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { env, ModelRegistry } from '@huggingface/transformers';
import { HUB_DTYPE, type Dtype } from '../../core/presets';
import { modelFiles } from './files';
import { describeCachedUrl } from './cache';
import { DEFAULT_HUB_HOST, hubFileUrl, normalizeHost } from './hub';
import { loadKey, localFolderId } from './identity';

const MODELS = join(process.cwd(), 'public/models');

describe('model sources', () => {
  it("the default hub host is transformers.js' own", () => {
    expect(DEFAULT_HUB_HOST).toBe(env.remoteHost);
  });

  it('lists the files transformers.js loads, for single and per-session dtypes, with external data', async () => {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = `${MODELS}/`;
    const config = JSON.parse(readFileSync(join(MODELS, 'tiny-base/config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const cases: {
      dtype: Dtype | Record<string, Dtype>;
      shaderF16: boolean;
      config: Record<string, unknown>;
    }[] = [
      { dtype: 'q4', shaderF16: false, config },
      { dtype: 'fp32', shaderF16: false, config },
      { dtype: { ...HUB_DTYPE }, shaderF16: true, config },
      {
        dtype: 'q8',
        shaderF16: false,
        config: {
          ...config,
          'transformers.js_config': {
            use_external_data_format: { 'decoder_model_merged_quantized.onnx': 2, vision_encoder: true },
          },
        },
      },
    ];
    for (const c of cases) {
      const ours = modelFiles(c.config, c.dtype, c.shaderF16);
      const theirs = await ModelRegistry.get_files('tiny-base', {
        config: c.config as never,
        dtype: c.dtype as never,
      });
      expect([...ours].sort(), JSON.stringify(c.dtype)).toEqual([...new Set(theirs)].sort());
    }
    // Without shader-f16 the f16-compute precisions fall back as the model workers do.
    expect(modelFiles(config, { ...HUB_DTYPE }, false)).toContain('onnx/decoder_model_merged_q4.onnx');
    expect(modelFiles(config, { ...HUB_DTYPE }, false)).toContain('onnx/vision_encoder.onnx');
  });

  it('maps cached URLs back to their models', () => {
    const hub = describeCachedUrl(
      hubFileUrl('http://127.0.0.1:9/', 'test-org/tiny-base', 'main', 'onnx/x_q4.onnx'),
      'http://localhost:4173',
    );
    expect(hub).toMatchObject({
      kind: 'hub',
      group: 'http://127.0.0.1:9/test-org/tiny-base/resolve/main/',
      label: 'test-org/tiny-base@main (127.0.0.1:9)',
      file: 'onnx/x_q4.onnx',
    });
    expect(describeCachedUrl(`${DEFAULT_HUB_HOST}org/m/resolve/v1/config.json`, 'http://a').label).toBe(
      'org/m@v1',
    );
    const url = describeCachedUrl(
      'http://localhost:4173/models/tiny-base/onnx/embed_tokens.onnx',
      'http://localhost:4173',
    );
    expect(url).toMatchObject({
      kind: 'url',
      group: 'http://localhost:4173/models/tiny-base/',
      label: '/models/tiny-base/',
      file: 'onnx/embed_tokens.onnx',
    });
    expect(
      describeCachedUrl('http://localhost:4173/models/tiny-base/config.json', 'http://localhost:4173').group,
    ).toBe(url.group);
    expect(
      describeCachedUrl(
        'http://localhost:4173/ort/ort-wasm-simd-threaded.asyncify.wasm',
        'http://localhost:4173',
      ).kind,
    ).toBe('runtime');
  });

  it('normalizes hub hosts and names load identities', () => {
    expect(normalizeHost('mirror.example.org')).toBe('https://mirror.example.org/');
    expect(normalizeHost('http://127.0.0.1:8080/hf')).toBe('http://127.0.0.1:8080/hf/');
    expect(normalizeHost('')).toBe(DEFAULT_HUB_HOST);
    expect(() => normalizeHost('ftp://x')).toThrow(/http\(s\)/);
    const spec = {
      role: 'base' as const,
      name: 'm',
      source: { kind: 'hub' as const, repo: 'o/m', revision: 'main', dtype: 'q4' as const },
    };
    expect(loadKey(spec, { backend: 'wasm' })).toBe(loadKey({ ...spec }, { backend: 'wasm' }));
    expect(loadKey(spec, { backend: 'wasm' })).not.toBe(loadKey(spec, { backend: 'webgpu' }));
    expect(loadKey(spec, { backend: 'wasm' })).not.toBe(
      loadKey({ ...spec, source: { ...spec.source, host: 'http://127.0.0.1:1/' } }, { backend: 'wasm' }),
    );
    const file = (name: string, size: number) => ({
      path: name,
      file: new File([new Uint8Array(size)], name, { lastModified: 1 }),
    });
    expect(localFolderId('a', [file('config.json', 3)])).toBe(localFolderId('a', [file('config.json', 3)]));
    expect(localFolderId('a', [file('config.json', 3)])).not.toBe(
      localFolderId('a', [file('config.json', 4)]),
    );
    expect(localFolderId('a', [file('config.json', 3)])).toMatch(/^__local__\/f[0-9a-z]+$/);
  });
});
