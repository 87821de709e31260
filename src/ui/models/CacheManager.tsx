import { useCallback, useEffect, useState } from 'react';
import {
  clearModelCache,
  deleteCachedModel,
  formatBytes,
  listCachedModels,
  requestPersistentStorage,
  storageStatus,
  type CachedModel,
  type StorageStatus,
} from '../../client/model-cache';
import './models.css';

export interface CacheManagerProps {
  /** Change it to make the list re-read storage (e.g. after a load finished). */
  refreshKey?: unknown;
  /** Called after models were deleted (null: all of them). */
  onDeleted?: (model: CachedModel | null) => void;
  /** Disables deleting, e.g. while a trio loads. */
  busy?: boolean;
}

/**
 * The models kept in browser storage, with their sizes; deletes one or all of them. Shows the
 * storage quota and whether storage is persistent, and can ask for persistence.
 */
export function CacheManager({ refreshKey, onDeleted, busy }: CacheManagerProps) {
  const [models, setModels] = useState<CachedModel[] | null>(null);
  const [storage, setStorage] = useState<StorageStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);

  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let live = true;
    Promise.all([listCachedModels(), storageStatus()]).then(
      ([m, s]) => {
        if (!live) return;
        setModels(m);
        setStorage(s);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [tick, refreshKey]);

  const act = async (f: () => Promise<unknown>, after?: () => void) => {
    setWorking(true);
    try {
      await f();
      after?.();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setWorking(false);
      refresh();
    }
  };

  const listed = models ?? [];
  const total = listed.reduce((a, m) => a + m.bytes, 0);
  return (
    <div className="ptm" aria-label="Model cache">
      {models === null ? (
        <p className="ptm-hint">Reading browser storage…</p>
      ) : listed.length === 0 ? (
        <p className="ptm-hint" data-testid="cache-empty">
          No models in browser storage.
        </p>
      ) : (
        <table className="ptm-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="ptm-num">
                Files
              </th>
              <th scope="col" className="ptm-num">
                Size
              </th>
              <th scope="col">
                <span className="ptm-sr">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {listed.map((m) => (
              <tr key={m.group} data-group={m.group}>
                <td>
                  <span className="ptm-file">{m.label}</span> <span className="ptm-badge">{m.kind}</span>
                </td>
                <td className="ptm-num">{m.files.length}</td>
                <td className="ptm-num" data-testid="cache-size">
                  {formatBytes(m.bytes)}
                </td>
                <td>
                  <button
                    type="button"
                    className="button button--small button--danger-quiet"
                    disabled={busy || working}
                    aria-label={`Delete ${m.label}`}
                    onClick={() =>
                      void act(
                        () => deleteCachedModel(m.group),
                        () => onDeleted?.(m),
                      )
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All models</th>
              <td className="ptm-num">{listed.reduce((a, m) => a + m.files.length, 0)}</td>
              <td className="ptm-num">{formatBytes(total)}</td>
              <td>
                <button
                  type="button"
                  className="button button--small button--danger-quiet"
                  disabled={busy || working}
                  onClick={() => {
                    if (
                      window.confirm(
                        `Delete all ${listed.length} models (${formatBytes(total)}) from browser storage?`,
                      )
                    ) {
                      void act(clearModelCache, () => onDeleted?.(null));
                    }
                  }}
                >
                  Delete all
                </button>
              </td>
            </tr>
          </tfoot>
        </table>
      )}
      {storage && (
        <p className="ptm-hint" data-testid="storage-status">
          This site uses {formatBytes(storage.usage)} of {formatBytes(storage.quota)} (
          {formatBytes(storage.available)} free).{' '}
          {storage.persisted === true
            ? 'Storage is persistent: the browser keeps it under storage pressure.'
            : storage.persisted === false
              ? 'Storage is not persistent: the browser may evict models when space runs low.'
              : ''}
        </p>
      )}
      <div className="ptm-row">
        <button type="button" className="button button--small" disabled={working} onClick={refresh}>
          Refresh
        </button>
        {storage?.persisted === false && (
          <button
            type="button"
            className="button button--small"
            disabled={working}
            onClick={() => void act(requestPersistentStorage)}
          >
            Keep downloads (persistent storage)
          </button>
        )}
      </div>
      {error && (
        <p className="ptm-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
