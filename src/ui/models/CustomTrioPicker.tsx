import { useEffect, useState } from 'react';
import { HUB_DTYPE, MODEL_ROLES, type Dtype, type ModelRole } from '../../core/presets';
import type { BackendChoice, ModelSpecifier } from '../../core/protocol';
import {
  folderFromHandle,
  folderSource,
  type DirectoryHandle,
  type LocalFolder,
} from '../../client/local-folder';
import {
  normalizeHost,
  planDownload,
  requestPersistentStorage,
  type TrioPlan,
} from '../../client/model-cache';
import { DownloadPlanView } from './DownloadPlanView';
import { LocalFolderPicker } from './LocalFolderPicker';
import { TextField } from './TextField';
import {
  deleteCustomTrio,
  getHubHost,
  listCustomTrios,
  saveCustomTrio,
  setHubHost,
  type CustomTrio,
  type SavedSource,
} from './trio-store';
import './models.css';

type Kind = 'hub' | 'local-folder' | 'url';
/** A single precision, or 'hub' for the per-session precisions of published exports. */
type DtypeChoice = Dtype | 'hub';

interface Row {
  name: string;
  kind: Kind;
  repo: string;
  revision: string;
  baseUrl: string;
  folder: LocalFolder | null;
  /** A folder of a saved trio, reopened on load. */
  savedFolder: { name: string; handle?: DirectoryHandle } | null;
  dtype: DtypeChoice;
}

const DTYPES: DtypeChoice[] = ['hub', 'q4', 'fp32', 'fp16', 'q4f16', 'q8', 'int8', 'uint8', 'bnb4'];
const ROLE_LABEL: Record<ModelRole, string> = { base: 'Base', expert: 'Expert', amateur: 'Amateur' };
const ROLE_HINT: Record<ModelRole, string> = {
  base: 'the large model that answers',
  expert: 'the small RL-tuned model that guides',
  amateur: 'the small model the expert was tuned from',
};

function emptyRow(): Row {
  return {
    name: '',
    kind: 'hub',
    repo: '',
    revision: 'main',
    baseUrl: '/models/',
    folder: null,
    savedFolder: null,
    dtype: 'hub',
  };
}

function toDtype(d: DtypeChoice): Dtype | Record<string, Dtype> {
  return d === 'hub' ? { ...HUB_DTYPE } : d;
}

function fromDtype(d: Dtype | Record<string, Dtype>): DtypeChoice {
  return typeof d === 'string' ? d : 'hub';
}

function defaultName(r: Row): string {
  if (r.kind === 'hub') return r.repo.split('/').pop() ?? '';
  if (r.kind === 'url') return r.baseUrl.replace(/\/+$/, '').split('/').pop() ?? '';
  return r.folder?.name ?? r.savedFolder?.name ?? '';
}

/** Checks a row; the message names the role and what is missing. */
function rowProblem(role: ModelRole, r: Row): string | null {
  if (r.kind === 'hub' && !/^[\w.-]+(\/[\w.-]+)?$/.test(r.repo.trim()))
    return `${role}: enter a hub repo id such as org/name`;
  if (r.kind === 'url' && !r.baseUrl.trim()) return `${role}: enter the folder URL, e.g. /models/tiny-base/`;
  if (r.kind === 'local-folder' && !r.folder && !r.savedFolder?.handle)
    return `${role}: choose the model's folder`;
  return null;
}

async function rowSpecifier(role: ModelRole, r: Row, host: string): Promise<ModelSpecifier> {
  const dtype = toDtype(r.dtype);
  const name = r.name.trim() || defaultName(r) || role;
  if (r.kind === 'hub') {
    return {
      role,
      name,
      source: {
        kind: 'hub',
        repo: r.repo.trim(),
        revision: r.revision.trim() || 'main',
        dtype,
        ...(host ? { host: normalizeHost(host) } : {}),
      },
    };
  }
  if (r.kind === 'url') return { role, name, source: { kind: 'url', baseUrl: r.baseUrl.trim(), dtype } };
  const folder =
    r.folder ?? (r.savedFolder?.handle ? await folderFromHandle(r.savedFolder.handle, true) : null);
  if (!folder) throw new Error(`${role}: choose the model's folder`);
  return { role, name, source: folderSource(folder, dtype) };
}

function savedSource(r: Row, host: string): SavedSource {
  const dtype = toDtype(r.dtype);
  if (r.kind === 'hub')
    return {
      kind: 'hub',
      repo: r.repo.trim(),
      revision: r.revision.trim() || 'main',
      dtype,
      ...(host ? { host: normalizeHost(host) } : {}),
    };
  if (r.kind === 'url') return { kind: 'url', baseUrl: r.baseUrl.trim(), dtype };
  const handle = r.folder?.handle ?? r.savedFolder?.handle;
  return {
    kind: 'local-folder',
    folder: r.folder?.name ?? r.savedFolder?.name ?? '',
    dtype,
    ...(handle ? { handle } : {}),
  };
}

function rowFromSaved(name: string, s: SavedSource): Row {
  const r = { ...emptyRow(), name, dtype: fromDtype(s.dtype) };
  if (s.kind === 'hub') return { ...r, kind: 'hub', repo: s.repo, revision: s.revision };
  if (s.kind === 'url') return { ...r, kind: 'url', baseUrl: s.baseUrl };
  return {
    ...r,
    kind: 'local-folder',
    savedFolder: { name: s.folder, ...(s.handle ? { handle: s.handle } : {}) },
  };
}

export interface CustomTrioPickerProps {
  /** Loads the trio (the caller owns loading: e.g. coordinator().loadTrio, or the app's own load action). */
  onLoad: (models: ModelSpecifier[], label: string) => void;
  /** The backend the trio will load on (decides fp16 vs fp32 files in the size check). */
  backend: BackendChoice;
  /** Disables loading (e.g. while a load or run is in progress). */
  disabled?: boolean;
  /** Hears every download plan computed by "Check download size" (e.g. to pass it to LoadProgress). */
  onPlan?: (plan: TrioPlan | null) => void;
}

/**
 * A trio of models from any sources: a hub repo (on the configured hub host or mirror), a folder on
 * this server, or a folder on disk. Shows the download size before loading; trios can be saved
 * (IndexedDB) and picked again later.
 */
export function CustomTrioPicker({ onLoad, backend, disabled, onPlan }: CustomTrioPickerProps) {
  const [rows, setRows] = useState<Record<ModelRole, Row>>({
    base: emptyRow(),
    expert: emptyRow(),
    amateur: emptyRow(),
  });
  const [host, setHost] = useState('');
  const [label, setLabel] = useState('');
  const [saved, setSaved] = useState<CustomTrio[]>([]);
  const [savedId, setSavedId] = useState('');
  const [plan, setPlan] = useState<TrioPlan | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);

  useEffect(() => {
    void getHubHost()
      .then(setHost)
      .catch(() => undefined);
    void listCustomTrios()
      .then(setSaved)
      .catch(() => undefined);
  }, []);

  const update = (role: ModelRole, patch: Partial<Row>) => {
    setRows((rs) => ({ ...rs, [role]: { ...rs[role], ...patch } }));
    setPlan(null);
    onPlan?.(null);
  };

  const problems = MODEL_ROLES.map((r) => rowProblem(r, rows[r])).filter((p): p is string => p !== null);
  let hostProblem: string | null = null;
  try {
    if (host.trim()) normalizeHost(host);
  } catch (e) {
    hostProblem = (e as Error).message;
  }
  const invalid = problems.length > 0 || hostProblem !== null;

  const specs = () => Promise.all(MODEL_ROLES.map((r) => rowSpecifier(r, rows[r], host.trim())));
  const trioLabel = () =>
    label.trim() || MODEL_ROLES.map((r) => rows[r].name.trim() || defaultName(rows[r]) || r).join(' / ');

  const run = async (f: () => Promise<void>) => {
    setError(null);
    setInfo(null);
    try {
      await f();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <form
      className="ptm"
      aria-label="Custom trio"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => onLoad(await specs(), trioLabel()));
      }}
    >
      {saved.length > 0 && (
        <div className="ptm-row">
          <label className="ptm-field">
            <span>Saved trios</span>
            <select
              value={savedId}
              onChange={(e) => {
                const t = saved.find((s) => s.id === e.target.value);
                setSavedId(e.target.value);
                if (!t) return;
                setLabel(t.label);
                setRows({
                  base: rowFromSaved(t.models.base.name, t.models.base.source),
                  expert: rowFromSaved(t.models.expert.name, t.models.expert.source),
                  amateur: rowFromSaved(t.models.amateur.name, t.models.amateur.source),
                });
                const h = MODEL_ROLES.map((r) => t.models[r].source).find((s) => s.kind === 'hub' && s.host);
                if (h?.kind === 'hub' && h.host) setHost(h.host);
                setPlan(null);
              }}
            >
              <option value="">—</option>
              {saved.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          {savedId && (
            <button
              type="button"
              className="button button--small button--danger-quiet"
              onClick={() =>
                void run(async () => {
                  await deleteCustomTrio(savedId);
                  setSaved(await listCustomTrios());
                  setSavedId('');
                })
              }
            >
              Delete saved trio
            </button>
          )}
        </div>
      )}
      <label className="ptm-field">
        <span>Hub host (a mirror, or empty for transformers.js' default hub)</span>
        <input
          type="text"
          inputMode="url"
          spellCheck={false}
          value={host}
          placeholder="https://hub-mirror.example.org/"
          onChange={(e) => {
            setHost(e.target.value);
            setPlan(null);
          }}
          onBlur={() => {
            if (!hostProblem) void setHubHost(host);
          }}
        />
      </label>
      {hostProblem && <p className="ptm-error">{hostProblem}</p>}
      {MODEL_ROLES.map((role) => {
        const r = rows[role];
        const legend = `${ROLE_LABEL[role]} model`;
        return (
          <fieldset key={role} disabled={disabled}>
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
                    update(role, {
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
                    onChange={(repo) => update(role, { repo })}
                  />
                  <TextField
                    label="Revision"
                    ariaLabel={`${legend} revision`}
                    value={r.revision}
                    onChange={(revision) => update(role, { revision })}
                  />
                </>
              )}
              {r.kind === 'url' && (
                <TextField
                  label="Folder URL"
                  ariaLabel={`${legend} URL`}
                  value={r.baseUrl}
                  onChange={(baseUrl) => update(role, { baseUrl })}
                />
              )}
              <label className="ptm-field">
                <span>Precision</span>
                <select
                  aria-label={`${legend} precision`}
                  value={r.dtype}
                  onChange={(e) => update(role, { dtype: e.target.value as DtypeChoice })}
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
                onChange={(name) => update(role, { name })}
              />
            </div>
            {r.kind === 'local-folder' && (
              <LocalFolderPicker
                label={`${ROLE_LABEL[role]} model folder`}
                folder={r.folder}
                remembered={r.savedFolder?.name ?? null}
                disabled={disabled}
                onPick={(folder) => update(role, { folder, savedFolder: null })}
              />
            )}
          </fieldset>
        );
      })}
      {problems.length > 0 && <p className="ptm-hint">{problems.join(' · ')}</p>}
      <div className="ptm-row">
        <button
          type="button"
          className="button"
          disabled={invalid || checking}
          onClick={() =>
            void run(async () => {
              setChecking(true);
              try {
                const p = await planDownload(await specs(), { backend });
                setPlan(p);
                onPlan?.(p);
              } finally {
                setChecking(false);
              }
            })
          }
        >
          {checking ? 'Checking…' : 'Check download size'}
        </button>
        <button type="submit" className="button button--primary" disabled={invalid || disabled}>
          Load trio
        </button>
      </div>
      {plan && (
        <DownloadPlanView
          plan={plan}
          onRequestPersist={() =>
            void run(async () => {
              const ok = await requestPersistentStorage();
              setInfo(
                ok
                  ? 'Storage is now persistent.'
                  : 'The browser declined persistent storage (it may grant it once the site is used more, or installed).',
              );
              setPlan(await planDownload(await specs(), { backend }));
            })
          }
        />
      )}
      <div className="ptm-row">
        <label className="ptm-field">
          <span>Save as</span>
          <input
            type="text"
            aria-label="Trio name"
            value={label}
            placeholder={trioLabel()}
            onChange={(e) => setLabel(e.target.value)}
          />
        </label>
        <button
          type="button"
          className="button button--small"
          disabled={invalid}
          onClick={() =>
            void run(async () => {
              const t = await saveCustomTrio({
                ...(savedId ? { id: savedId } : {}),
                label: trioLabel(),
                models: {
                  base: {
                    name: rows.base.name.trim() || defaultName(rows.base),
                    source: savedSource(rows.base, host.trim()),
                  },
                  expert: {
                    name: rows.expert.name.trim() || defaultName(rows.expert),
                    source: savedSource(rows.expert, host.trim()),
                  },
                  amateur: {
                    name: rows.amateur.name.trim() || defaultName(rows.amateur),
                    source: savedSource(rows.amateur, host.trim()),
                  },
                },
              });
              setSaved(await listCustomTrios());
              setSavedId(t.id);
              const noHandle = MODEL_ROLES.filter(
                (r) =>
                  rows[r].kind === 'local-folder' && !(rows[r].folder?.handle ?? rows[r].savedFolder?.handle),
              );
              setInfo(
                `Saved "${t.label}".${noHandle.length ? ` The ${noHandle.join(' and ')} folder must be picked again next time (this browser cannot reopen it).` : ''}`,
              );
            })
          }
        >
          Save trio
        </button>
      </div>
      {info && (
        <p className="ptm-hint" role="status">
          {info}
        </p>
      )}
      {error && (
        <p className="ptm-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
