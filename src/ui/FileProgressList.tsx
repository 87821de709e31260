import type { ModelRole } from '../core/presets';
import type { FileBytes } from '../state/loadView';
import { formatBytes } from './format';

/** Bytes per file; a bar when the server said how large the file is. */
export function FileProgressList({ role, files }: { role: ModelRole; files: Record<string, FileBytes> }) {
  return (
    <ul className="file-list">
      {Object.entries(files).map(([name, f]) => (
        <li key={name}>
          <span className="file-name">{name}</span>
          <span className="file-bytes">
            {f.source === 'cache' ? 'cached · ' : f.source === 'disk' ? 'disk · ' : ''}
            {formatBytes(f.loaded)}
            {f.total > 0 ? ` / ${formatBytes(f.total)}` : ''}
          </span>
          {f.total > 0 && (
            <progress max={f.total} value={Math.min(f.loaded, f.total)} aria-label={`${role} ${name}`} />
          )}
          {f.failure && (
            <span className={f.failure.fatal ? 'file-failure file-failure--fatal' : 'file-failure'}>
              {f.failure.message}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
