import { parseResolution, RESOLUTIONS, RESOLUTION_LABELS } from '../../core/runVision';
import { setEvalForm } from '../../state/evalActions';
import { useApp } from '../../state/store';

/** Modes (base alone, guided at each α of one sweep), tokens, resolution, how many items. */
export function EvalForm() {
  const form = useApp((s) => s.eval.form);
  const busy = useApp((s) => s.eval.status !== 'idle');
  return (
    <fieldset className="eval-form" disabled={busy}>
      <legend className="visually-hidden">Evaluation settings</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={form.base}
          onChange={(e) => setEvalForm({ base: e.currentTarget.checked })}
        />
        Base model alone
      </label>
      <label className="field">
        <span className="label">Guided α values</span>
        <input
          type="text"
          value={form.alphas}
          aria-describedby="eval-alphas-hint"
          onChange={(e) => setEvalForm({ alphas: e.currentTarget.value })}
        />
        <span className="hint" id="eval-alphas-hint">
          Up to 8, decoded together in one batched sweep.
        </span>
      </label>
      <label className="field">
        <span className="label">Tokens per output</span>
        <input
          type="text"
          inputMode="numeric"
          value={form.maxNewTokens}
          onChange={(e) => setEvalForm({ maxNewTokens: e.currentTarget.value })}
        />
      </label>
      <label className="field">
        <span className="label">Resolution</span>
        <select
          value={form.resolution}
          onChange={(e) => setEvalForm({ resolution: parseResolution(e.currentTarget.value) ?? 'full' })}
        >
          {RESOLUTIONS.map((r) => (
            <option key={r} value={r}>
              {RESOLUTION_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="label">Items (first N)</span>
        <input
          type="text"
          inputMode="numeric"
          placeholder="all"
          value={form.limit}
          onChange={(e) => setEvalForm({ limit: e.currentTarget.value })}
        />
      </label>
    </fieldset>
  );
}
