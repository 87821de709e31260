import { findPreset, LOCAL_DTYPES, PRESETS, recipeCommands, type LocalDtype } from '../core/presets';
import { presetBlocker, setDownloadPlan } from '../state/modelActions';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';
import { Segmented } from './Segmented';

/** Which preset trio, and at which precision, the Load button will load. */
export function TrioPicker() {
  const presetId = useApp((s) => s.settings.presetId);
  const dtype = useApp((s) => s.settings.dtype);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  const preset = findPreset(presetId);
  const blocker = presetBlocker(preset);
  return (
    <div className="stack">
      <div className="field">
        <label htmlFor="preset">Model trio</label>
        <select
          id="preset"
          value={presetId}
          disabled={locked}
          onChange={(e) => {
            setSetting('presetId', e.target.value);
            setDownloadPlan(null);
          }}
        >
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        <p className="hint">
          base <code>{preset.models.base.name}</code> · expert <code>{preset.models.expert.name}</code> ·
          amateur <code>{preset.models.amateur.name}</code>
        </p>
        {preset.note && <p className="note">{preset.note}</p>}
        {preset.recipe && (
          <div className="note" data-testid="convert-recipe">
            <p>
              Convert first, once (in the project folder; see docs/convert.md), then Load: the converted folders are
              served from <code>/models/</code>.
            </p>
            <pre>{recipeCommands(preset).join('\n')}</pre>
          </div>
        )}
        {blocker && <p className="note note--warn">{blocker}</p>}
      </div>
      {preset.local ? (
        <Segmented
          legend="Precision"
          name="dtype"
          title="auto: q8 on the CPU (WASM), where int8 matrix kernels decode about 15× faster than 4-bit ones; q4 on WebGPU"
          options={LOCAL_DTYPES.map((d: LocalDtype) => ({ value: d, label: d }))}
          value={dtype}
          disabled={locked}
          onChange={(d) => {
            setSetting('dtype', d);
            setDownloadPlan(null);
          }}
        />
      ) : (
        <p className="hint">
          Precision: fixed by the published exports (4-bit text side, fp16 vision; fp32 where the GPU lacks
          shader-f16).
        </p>
      )}
    </div>
  );
}
