import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_DTYPE,
  HUB_DTYPE,
  MODEL_ROLES,
  PRESETS,
  fallbackDtype,
  findPreset,
  needsExport,
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

  it('local presets are served from /models/<name>/ at the default q4', () => {
    expect(PRESETS.filter((p) => p.local).map((p) => p.id)).toEqual(['tiny', 'tiny-escalate', 'bench']);
    for (const p of PRESETS.filter((x) => x.local)) {
      for (const role of MODEL_ROLES) {
        const m = p.models[role];
        expect(m).toMatchObject({ kind: 'url', baseUrl: `/models/${m.name}/`, dtype: DEFAULT_LOCAL_DTYPE });
      }
    }
    expect(findPreset('tiny-escalate').models.expert.name).toBe('tiny-expert-escalate');
    expect(findPreset('bench').models.base.name).toBe('bench-base');
  });

  it('hub presets carry a note for every model without a published export', () => {
    const hubs = PRESETS.filter((p) => !p.local);
    expect(hubs.map((p) => p.family).sort()).toEqual(['qwen2_5_vl', 'qwen3_vl']);
    for (const p of hubs) {
      for (const role of MODEL_ROLES) {
        const m = p.models[role];
        expect(m.kind).toBe('hub');
        if (m.kind !== 'hub') continue;
        expect(m.dtype).toEqual(HUB_DTYPE);
        if (needsExport(m)) {
          expect(p.note).toContain(m.repo);
          expect(p.note).toMatch(/no ONNX export published; export with optimum/);
        }
      }
    }
    const paper = findPreset('qwen2.5-vl-paper');
    expect(paper.models.expert).toMatchObject({ repo: 'UCSC-VLAA/VLAA-Thinker-Qwen2.5VL-3B' });
    expect(needsExport(paper.models.amateur)).toBe(false);
    expect(needsExport(paper.models.expert)).toBe(true);
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
      /Unknown preset 'nope'\. Known presets: tiny, tiny-escalate, bench, /,
    );
  });
});

describe('withLocalDtype', () => {
  it('switches every model of a local preset without touching the original', () => {
    const fp32 = withLocalDtype(findPreset('tiny'), 'fp32');
    for (const role of MODEL_ROLES) expect(fp32.models[role].dtype).toBe('fp32');
    expect(findPreset('tiny').models.base.dtype).toBe('q4');
  });

  it('refuses hub presets', () => {
    expect(() => withLocalDtype(findPreset('qwen3-vl'), 'fp32')).toThrow(/not local/);
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
