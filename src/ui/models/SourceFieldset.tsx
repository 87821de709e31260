import type { ModelRole } from '../../core/presets';
import { LocalFolderPicker } from './LocalFolderPicker';
import { TextField } from './TextField';
import { defaultName, type DtypeChoice, type Kind, type SourceRow } from './source-row';

const DTYPES: DtypeChoice[] = ['hub', 'q4', 'fp32', 'fp16', 'q4f16', 'q8', 'int8', 'uint8', 'bnb4'];
const ROLE_LABEL: Record<ModelRole, string> = { base: 'Base', expert: 'Expert', amateur: 'Amateur' };
const ROLE_HINT: Record<ModelRole, string> = {
  base: 'the large model that answers',
  expert: 'the small RL-tuned model that guides',
  amateur: 'the small model the expert was tuned from',
};

export interface SourceFieldsetProps {
  role: ModelRole;
  row: SourceRow;
  disabled?: boolean | undefined;
  onChange: (patch: Partial<SourceRow>) => void;
}

/** One role's source form: where the model comes from, its precision and its name. */
export function SourceFieldset({ role, row: r, disabled, onChange }: SourceFieldsetProps) {
  const legend = `${ROLE_LABEL[role]} model`;
  return (
    <fieldset disabled={disabled}>
      <legend>
        {legend} <span className="ptm-hint">— {ROLE_HINT[role]}</span>
      </legend>
      <div className="ptm-grid">
        <label className="ptm-field">
          <span>Source</span>
          <select
            aria-label={`${legend} source`}
            value={r.kind}
            onChange={(e) =>
              onChange({
                kind: e.target.value as Kind,
                dtype: e.target.value === 'hub' ? 'hub' : 'q4',
              })
            }
          >
            <option value="hub">Hub repo</option>
            <option value="local-folder">Folder on this computer</option>
            <option value="url">Folder on this server</option>
          </select>
        </label>
        {r.kind === 'hub' && (
          <>
            <TextField
              label="Repo"
              ariaLabel={`${legend} repo`}
              value={r.repo}
              placeholder="org/name"
              onChange={(repo) => onChange({ repo })}
            />
            <TextField
              label="Revision"
              ariaLabel={`${legend} revision`}
              value={r.revision}
              onChange={(revision) => onChange({ revision })}
            />
          </>
        )}
        {r.kind === 'url' && (
          <TextField
            label="Folder URL"
            ariaLabel={`${legend} URL`}
            value={r.baseUrl}
            onChange={(baseUrl) => onChange({ baseUrl })}
          />
        )}
        <label className="ptm-field">
          <span>Precision</span>
          <select
            aria-label={`${legend} precision`}
            value={r.dtype}
            onChange={(e) => onChange({ dtype: e.target.value as DtypeChoice })}
          >
            {DTYPES.map((d) => (
              <option key={d} value={d}>
                {d === 'hub' ? 'export default (q4f16 text, fp16 vision)' : d}
              </option>
            ))}
          </select>
        </label>
        <TextField
          label="Name"
          ariaLabel={`${legend} name`}
          value={r.name}
          placeholder={defaultName(r) || role}
          onChange={(name) => onChange({ name })}
        />
      </div>
      {r.kind === 'local-folder' && (
        <LocalFolderPicker
          label={`${ROLE_LABEL[role]} model folder`}
          folder={r.folder}
          remembered={r.savedFolder?.name ?? null}
          disabled={disabled}
          onPick={(folder) => onChange({ folder, savedFolder: null })}
        />
      )}
    </fieldset>
  );
}
