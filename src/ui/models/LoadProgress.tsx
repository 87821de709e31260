import { MODEL_ROLES, type ModelRole } from '../../core/presets';
import type { LoadEvent } from '../../core/protocol';
import { formatBytes, summarizeLoad, type FileState, type TrioPlan } from '../../client/model-cache';
import './models.css';

export interface LoadProgressProps {
  events: readonly LoadEvent[];
  /** The download plan, so the totals are right before every file has started. */
  plan?: TrioPlan | null;
  /** Model names by role, for headings. */
  names?: Partial<Record<ModelRole, string>>;
  /** The load's error (a DownloadError names the file). */
  error?: string | null;
  /** Shown with the error: loads the trio again (models that did load are kept, cached files are not downloaded again). */
  onRetry?: () => void;
}

const SOURCE: Record<string, string> = { network: 'download', cache: 'cached', disk: 'disk' };

function FileRow({ f }: { f: FileState }) {
  return (
    <li>
      <span className="ptm-file">{f.file}</span>
      <span className="ptm-hint">
        {f.source ? `${SOURCE[f.source]} · ` : ''}
        {formatBytes(f.loaded)}
        {f.total > 0 ? ` / ${formatBytes(f.total)}` : ''}
      </span>
      {f.total > 0 && (
        <progress max={f.total} value={Math.min(f.loaded, f.total)} aria-label={`${f.role} ${f.file}`} />
      )}
      {f.failure && <span className={f.failure.fatal ? 'ptm-error' : 'ptm-warn'}>{f.failure.message}</span>}
    </li>
  );
}

/** Bytes per file and overall while a trio loads, each model's phase, and failures with a retry. */
export function LoadProgress({ events, plan, names, error, onRetry }: LoadProgressProps) {
  const s = summarizeLoad(events, plan);
  const downloading = s.downloadTotal > 0;
  return (
    <div className="ptm" aria-label="Load progress">
      <div className="ptm-field">
        <span>
          {downloading ? 'Downloaded' : 'Read'}{' '}
          <strong data-testid="overall-bytes">
            {formatBytes(downloading ? s.downloaded : s.loaded)} of{' '}
            {formatBytes(downloading ? s.downloadTotal : s.total)}
          </strong>
        </span>
        <progress
          aria-label={downloading ? 'Overall download' : 'Overall'}
          max={Math.max(1, downloading ? s.downloadTotal : s.total)}
          value={downloading ? s.downloaded : s.loaded}
        />
      </div>
      {MODEL_ROLES.map((role) => {
        const m = s.models[role];
        if (m.files.length === 0 && m.phase === 'waiting') return null;
        return (
          <details key={role} open={m.phase === 'failed'}>
            <summary>
              {names?.[role] ?? role} <span className="ptm-badge">{role}</span>{' '}
              <span className="ptm-badge">{m.phase}</span>{' '}
              <span className="ptm-hint">
                {formatBytes(m.loaded)}
                {m.total > 0 ? ` / ${formatBytes(m.total)}` : ''}
              </span>
            </summary>
            <ul className="ptm-files">
              {m.files.map((f) => (
                <FileRow key={f.file} f={f} />
              ))}
            </ul>
          </details>
        );
      })}
      {error && (
        <div className="ptm-error" role="alert">
          <p>{error}</p>
          {onRetry && (
            <p>
              <button type="button" className="button button--small" onClick={onRetry}>
                Retry
              </button>{' '}
              <span className="ptm-hint">
                Models that loaded stay loaded; files already stored are not downloaded again.
              </span>
            </p>
          )}
        </div>
      )}
    </div>
  );
}
