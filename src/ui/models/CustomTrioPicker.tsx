import { useEffect, useState } from 'react';
import { MODEL_ROLES, type ModelRole } from '../../core/presets';
import type { BackendChoice, ModelSpecifier } from '../../core/protocol';
import {
  normalizeHost,
  planDownload,
  requestPersistentStorage,
  type TrioPlan,
} from '../../client/model-cache';
import { connectRefusalNow, usePagePolicy } from '../../client/pagePolicy';
import { folderUrl } from '../../models/sources/hub';
import { DownloadPlanView } from './DownloadPlanView';
import { SavedTrioSelect } from './SavedTrioSelect';
import { SourceFieldset } from './SourceFieldset';
import {
  defaultName,
  emptyRow,
  rowFromSaved,
  rowProblem,
  rowSpecifier,
  savedSource,
  type SourceRow,
} from './source-row';
import {
  deleteCustomTrio,
  getHubHost,
  listCustomTrios,
  saveCustomTrio,
  setHubHost,
  type CustomTrio,
} from './trio-store';
import './models.css';

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

/** A folder URL on a host the page's policy would block, or null. */
function policyProblem(role: ModelRole, row: SourceRow): string | null {
  if (row.kind !== 'url' || !row.baseUrl.trim()) return null;
  try {
    return connectRefusalNow(folderUrl(row.baseUrl.trim(), location.href), `${role}: the folder's host`);
  } catch {
    return `${role}: "${row.baseUrl}" is not a URL`;
  }
}

/**
 * A trio of models from any sources: a hub repo (on the configured hub host or mirror), a folder on
 * this server, or a folder on disk. Shows the download size before loading; trios can be saved
 * (IndexedDB) and picked again later.
 */
export function CustomTrioPicker({ onLoad, backend, disabled, onPlan }: CustomTrioPickerProps) {
  const [rows, setRows] = useState<Record<ModelRole, SourceRow>>({
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

  const update = (role: ModelRole, patch: Partial<SourceRow>) => {
    setRows((rs) => ({ ...rs, [role]: { ...rs[role], ...patch } }));
    setPlan(null);
    onPlan?.(null);
  };

  // Hosts the page's Content-Security-Policy would block are refused here, with what would allow them.
  usePagePolicy();
  const problems = MODEL_ROLES.map((r) => rowProblem(r, rows[r]) ?? policyProblem(r, rows[r])).filter(
    (p): p is string => p !== null,
  );
  let hostProblem: string | null = null;
  try {
    const normalized = normalizeHost(host);
    if (MODEL_ROLES.some((r) => rows[r].kind === 'hub'))
      hostProblem = connectRefusalNow(normalized, 'The hub host');
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
        <SavedTrioSelect
          saved={saved}
          savedId={savedId}
          onPick={(id, t) => {
            setSavedId(id);
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
          onDelete={() =>
            void run(async () => {
              await deleteCustomTrio(savedId);
              setSaved(await listCustomTrios());
              setSavedId('');
            })
          }
        />
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
      {hostProblem && (
        <p className="ptm-error" role="alert">
          {hostProblem}
        </p>
      )}
      {MODEL_ROLES.map((role) => (
        <SourceFieldset
          key={role}
          role={role}
          row={rows[role]}
          disabled={disabled}
          onChange={(patch) => update(role, patch)}
        />
      ))}
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
