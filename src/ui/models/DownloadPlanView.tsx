import type { TrioPlan } from '../../client/model-cache';
import { formatBytes } from '../../client/model-cache';
import './models.css';

export interface DownloadPlanViewProps {
  plan: TrioPlan;
  /** Asks the browser to keep downloads (navigator.storage.persist()); shown while storage is not persistent. */
  onRequestPersist?: () => void;
}

/** What a trio will download before it is loaded: per model and in total, against the free storage. */
export function DownloadPlanView({ plan, onRequestPersist }: DownloadPlanViewProps) {
  const { storage } = plan;
  return (
    <div className="ptm" aria-label="Download size">
      <table className="ptm-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="ptm-num">
              Files
            </th>
            <th scope="col" className="ptm-num">
              To download
            </th>
            <th scope="col" className="ptm-num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.models.map((m) => {
            const missing = m.files.filter((f) => f.missing);
            return (
              <tr key={m.role}>
                <td>
                  {m.name} <span className="ptm-badge">{m.role}</span>
                  {m.error && <div className="ptm-error">{m.error.message}</div>}
                  {missing.length > 0 && (
                    <div className="ptm-error">Missing: {missing.map((f) => f.file).join(', ')}</div>
                  )}
                </td>
                <td className="ptm-num">{m.files.length}</td>
                <td className="ptm-num">{formatBytes(m.downloadBytes)}</td>
                <td className="ptm-num">{formatBytes(m.totalBytes)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Trio</th>
            <td className="ptm-num">{plan.models.reduce((a, m) => a + m.files.length, 0)}</td>
            <td className="ptm-num" data-testid="plan-download">
              {formatBytes(plan.downloadBytes)}
            </td>
            <td className="ptm-num">{formatBytes(plan.totalBytes)}</td>
          </tr>
        </tfoot>
      </table>
      {plan.unknownSizes > 0 && (
        <p className="ptm-hint">{plan.unknownSizes} file(s) of unknown size (the server did not say).</p>
      )}
      <p className="ptm-hint">
        Browser storage: {formatBytes(storage.available)} free of {formatBytes(storage.quota)}
        {storage.persisted === true
          ? ' · persistent (kept under storage pressure)'
          : storage.persisted === false
            ? ' · not persistent (the browser may evict it)'
            : ''}
      </p>
      {plan.fits === false && (
        <p className="ptm-warn" role="alert">
          Not enough free storage: the download needs {formatBytes(plan.downloadBytes)} but only{' '}
          {formatBytes(storage.available)} is free. Delete cached models first, or the files that do not fit
          will download again on every load.
        </p>
      )}
      {storage.persisted === false && onRequestPersist && (
        <div>
          <button type="button" className="button button--small" onClick={onRequestPersist}>
            Keep downloads (persistent storage)
          </button>
        </div>
      )}
    </div>
  );
}
