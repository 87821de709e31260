import { useId, useState } from 'react';
import {
  canPickDirectories,
  folderDtypes,
  folderFromFiles,
  pickDirectory,
  type LocalFolder,
} from '../../client/local-folder';
import { formatBytes } from '../../client/model-cache';
import './models.css';

export interface LocalFolderPickerProps {
  /** What the folder is for, e.g. "Base model folder"; names the controls for assistive technology. */
  label: string;
  folder: LocalFolder | null;
  onPick: (folder: LocalFolder) => void;
  /** A folder remembered from a saved trio, not read yet (shown until a folder is picked). */
  remembered?: string | null;
  disabled?: boolean;
}

/**
 * Picks a model folder on disk: the browser's folder dialog where it has one (File System Access
 * API), and always a directory file input as the fallback. The files are read locally, never uploaded.
 */
export function LocalFolderPicker({ label, folder, onPick, remembered, disabled }: LocalFolderPickerProps) {
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const direct = canPickDirectories();
  const take = (f: () => Promise<LocalFolder | null> | LocalFolder) => {
    setError(null);
    Promise.resolve()
      .then(f)
      .then((picked) => picked && onPick(picked))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  const dtypes = folder ? folderDtypes(folder) : [];
  return (
    <div className="ptm-field">
      <div className="ptm-row">
        {direct && (
          <button
            type="button"
            className="button button--small"
            disabled={disabled}
            onClick={() => take(pickDirectory)}
            aria-label={`${label}: choose folder`}
          >
            Choose folder…
          </button>
        )}
        <label className={direct ? 'ptm-hint' : 'button button--small button--file'} htmlFor={id}>
          {direct ? 'or select its files' : 'Choose folder…'}
        </label>
        <input
          id={id}
          className={direct ? undefined : 'ptm-sr'}
          type="file"
          multiple
          aria-label={`${label} (files)`}
          disabled={disabled}
          ref={(el) => {
            if (el) el.webkitdirectory = true;
          }}
          onChange={(e) => {
            const files = e.currentTarget.files;
            if (files && files.length > 0) take(() => folderFromFiles(files));
          }}
        />
      </div>
      {folder ? (
        <p className="ptm-hint" data-testid="picked-folder">
          <strong>{folder.name}</strong> — {folder.files.length} files, {formatBytes(folder.bytes)}
          {dtypes.length > 0 ? `; precisions: ${dtypes.join(', ')}` : ''}. Read from disk, not uploaded.
        </p>
      ) : remembered ? (
        <p className="ptm-hint">
          Saved folder <strong>{remembered}</strong>: it is reopened when the trio loads (the browser may ask
          for permission).
        </p>
      ) : (
        <p className="ptm-hint">The folder holding config.json and onnx/ (a transformers.js export).</p>
      )}
      {error && (
        <p className="ptm-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
