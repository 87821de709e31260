import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_DTYPE,
  HUB_DTYPE,
  dtypeOption,
  fixedDtype,
  sourceDtype,
  MODEL_ROLES,
  PRESETS,
  fallbackDtype,
  findPreset,
  needsExport,
  presetSource,
  recipeCommands,
  withLocalDtype,
} from './presets';

describe('PRESETS', () => {
  it('has unique ids and three named roles each', () => {
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
    for (const p of PRESETS) {
      expect(Object.keys(p.models).sort()).toEqual([...MODEL_ROLES].sort());
      for (const role of MODEL_ROLES) expect(p.models[role].name.length).toBeGreaterThan(0);
      // The amateur is the expert's untuned sibling: they must be different models.
      expect(p.models.expert.name).not.toBe(p.models.amateur.name);
    }
  });

  it("local presets are served from /models/<name>/ at 'auto': q4, and q8 on WASM", () => {
    expect(DEFAULT_LOCAL_DTYPE).toBe('auto');
    expect(PRESETS.filter((p) => p.local).map((p) => p.id)).toEqual(['tiny', 'tiny-escalate', 'tiny-qwen2', 'tiny-qwen3', 'bench']);
    for (const p of PRESETS.filter((x) => x.local)) {
      for (const role of MODEL_ROLES) {
        const m = p.models[role];
        expect(m).toMatchObject({ kind: 'url', baseUrl: `/models/${m.name}/`, dtype: 'q4', wasmDtype: 'q8' });
      }
    }
    expect(findPreset('tiny-escalate').models.expert.name).toBe('tiny-expert-escalate');
    expect(findPreset('bench').models.base.name).toBe('bench-base');
  });

  it('hub models without a published export are named in the note; converted ones come with a recipe', () => {
    const remote = PRESETS.filter((p) => !p.local);
    expect(remote.map((p) => p.family).sort()).toEqual(['qwen2_5_vl', 'qwen2_vl', 'qwen3_vl']);
    for (const p of remote) {
      for (const role of MODEL_ROLES) {
        const m = p.models[role];
        if (m.kind === 'hub') {
          expect(m.dtype).toEqual(HUB_DTYPE);
          if (needsExport(m)) expect(p.note).toContain(m.repo);
          continue;
        }
        // A converted model: served from /models/<folder>/, made by the preset's recipe.
        const r = p.recipe?.find((x) => x.role === role);
        expect(r, `${p.id} ${role} has a recipe`).toBeDefined();
        expect(m).toMatchObject({ kind: 'url', baseUrl: `/models/${r?.folder}/`, dtype: 'q4f16' });
        expect(p.note).toContain(r?.checkpoint);
      }
    }
    const paper = findPreset('qwen2.5-vl-paper');
    expect(needsExport(paper.models.amateur)).toBe(false);
    expect(recipeCommands(paper)).toEqual([
      'huggingface-cli download Qwen/Qwen2.5-VL-7B-Instruct --local-dir checkpoints/Qwen2.5-VL-7B-Instruct',
      'npm run convert -- --from checkpoints/Qwen2.5-VL-7B-Instruct --to public/models/qwen2.5-vl-7b-instruct --dtype q4,q4f16',
      'huggingface-cli download UCSC-VLAA/VLAA-Thinker-Qwen2.5VL-3B --local-dir checkpoints/VLAA-Thinker-Qwen2.5VL-3B',
      'npm run convert -- --from checkpoints/VLAA-Thinker-Qwen2.5VL-3B --to public/models/vlaa-thinker-qwen2.5vl-3b --dtype q4,q4f16',
    ]);
    expect(recipeCommands(findPreset('qwen2-vl-r1'))).toHaveLength(6);
    expect(recipeCommands(findPreset('tiny'))).toEqual([]);
  });

  it('is frozen so callers cannot corrupt shared presets', () => {
    const tiny = findPreset('tiny');
    expect(Object.isFrozen(tiny)).toBe(true);
    expect(Object.isFrozen(tiny.models.base)).toBe(true);
  });
});

describe('findPreset', () => {
  it('finds by id and lists known ids on a miss', () => {
    expect(findPreset('tiny').id).toBe('tiny');
    expect(() => findPreset('nope')).toThrow(
      /Unknown preset 'nope'\. Known presets: tiny, tiny-escalate, tiny-qwen2, tiny-qwen3, bench, /,
    );
  });
});

describe('withLocalDtype', () => {
  it('switches every model of a local preset without touching the original', () => {
    const fp32 = withLocalDtype(findPreset('tiny'), 'fp32');
    for (const role of MODEL_ROLES) expect(fp32.models[role].dtype).toBe('fp32');
    expect(findPreset('tiny').models.base.dtype).toBe('q4');
  });

  it("a fixed precision holds on every backend; 'auto' brings back q8 for WASM", () => {
    const q4 = withLocalDtype(findPreset('tiny'), 'q4');
    const auto = withLocalDtype(q4, 'auto');
    for (const role of MODEL_ROLES) {
      expect(sourceDtype(q4.models[role], 'wasm')).toBe('q4');
      expect(sourceDtype(q4.models[role], 'webgpu')).toBe('q4');
      expect(sourceDtype(auto.models[role], 'wasm')).toBe('q8');
      expect(sourceDtype(auto.models[role], 'webgpu')).toBe('q4');
      expect(sourceDtype(withLocalDtype(auto, 'q8').models[role], 'webgpu')).toBe('q8');
    }
  });

  it('refuses hub presets', () => {
    expect(() => withLocalDtype(findPreset('qwen3-vl'), 'fp32')).toThrow(/not local/);
  });
});

describe('fixedDtype / dtypeOption', () => {
  it("leave the sources' own precision for 'auto' and none, and fix any other", () => {
    expect(fixedDtype('auto')).toBeNull();
    expect(fixedDtype(null)).toBeNull();
    expect(fixedDtype('q8')).toBe('q8');
    expect(dtypeOption('auto')).toEqual({});
    expect(dtypeOption('fp32')).toEqual({ dtype: 'fp32' });
  });
});

describe('fallbackDtype', () => {
  it('maps f16-compute precisions when shader-f16 is missing', () => {
    expect(fallbackDtype('fp16', false)).toBe('fp32');
    expect(fallbackDtype('q4f16', false)).toBe('q4');
    expect(fallbackDtype('q4', false)).toBe('q4');
    expect(fallbackDtype('fp16', true)).toBe('fp16');
    expect(fallbackDtype(HUB_DTYPE, false)).toEqual({
      embed_tokens: 'q4',
      vision_encoder: 'fp32',
      decoder_model_merged: 'q4',
    });
    expect(fallbackDtype(HUB_DTYPE, true)).toEqual(HUB_DTYPE);
  });
});

describe('presetSource', () => {
  const url = { kind: 'url' as const, name: 'bench-base', baseUrl: '/models/bench-base/', dtype: 'q4' as const, wasmDtype: 'q8' as const };
  const hub = { kind: 'hub' as const, name: 'Qwen', repo: 'org/model', revision: 'main', dtype: 'q4f16' as const, host: 'http://mirror.local' };

  it('is the spec without its name: wasmDtype and a hub mirror host kept', () => {
    expect(presetSource(url)).toEqual({ kind: 'url', baseUrl: '/models/bench-base/', dtype: 'q4', wasmDtype: 'q8' });
    expect(presetSource(hub)).toEqual({ kind: 'hub', repo: 'org/model', revision: 'main', dtype: 'q4f16', host: 'http://mirror.local' });
  });

  it('a given dtype fixes the precision on every backend (no wasmDtype left)', () => {
    expect(presetSource(url, 'fp32')).toEqual({ kind: 'url', baseUrl: '/models/bench-base/', dtype: 'fp32' });
    expect(presetSource(hub, 'q4')).toEqual({ kind: 'hub', repo: 'org/model', revision: 'main', dtype: 'q4', host: 'http://mirror.local' });
  });
});
