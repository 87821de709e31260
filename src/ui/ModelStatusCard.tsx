import type { ModelRole } from '../core/presets';
import { totalBytes } from '../state/loadView';
import { useApp } from '../state/store';
import { FileProgressList } from './FileProgressList';
import { formatBytes, formatMs } from './format';

const PHASES = {
  waiting: 'waiting',
  download: 'downloading',
  compile: 'compiling',
  warmup: 'warming up',
  ready: 'ready',
} as const;
const ROLE_LABEL: Record<ModelRole, string> = { base: 'Base', expert: 'Expert', amateur: 'Amateur' };

/** One model: phase, bytes downloaded per file, backend and why. */
export function ModelStatusCard({ role }: { role: ModelRole }) {
  const model = useApp((s) => s.load.models[role]);
  const loading = useApp((s) => s.load.status === 'loading');
  const info = model.info;
  const bytes = totalBytes(model);
  const fileCount = Object.keys(model.files).length;
  return (
    <li className="model-card" aria-label={`${ROLE_LABEL[role]} model`}>
      <div className="model-card__head">
        <strong>{ROLE_LABEL[role]}</strong>
        <span className={`phase phase--${model.phase}`}>{PHASES[model.phase]}</span>
        {info && (
          <span className={`badge badge--${info.backend}`} title={info.backendReason}>
            {info.backend === 'webgpu' ? 'WebGPU' : 'WASM'}
          </span>
        )}
      </div>
      {info ? (
        <p className="hint">
          <code>{info.name}</code> ·{' '}
          {typeof info.dtype === 'string' ? info.dtype : Object.values(info.dtype).join('/')} · vocab{' '}
          {info.vocabRows} · loaded in {formatMs(info.loadMs)}
          {info.backendReason && <span className="reason"> · {info.backendReason}</span>}
        </p>
      ) : (
        model.phase === 'download' &&
        bytes.total > 0 && (
          <progress
            className="bar"
            max={bytes.total}
            value={bytes.loaded}
            aria-label={`${ROLE_LABEL[role]} download`}
          />
        )
      )}
      {fileCount > 0 && (
        <details className="files" key={loading ? 'open' : 'closed'} open={loading}>
          <summary>
            {fileCount} file{fileCount === 1 ? '' : 's'} · {formatBytes(bytes.loaded)}
            {bytes.total > 0 && bytes.total !== bytes.loaded ? ` of ${formatBytes(bytes.total)}` : ''}
          </summary>
          <FileProgressList role={role} files={model.files} />
        </details>
      )}
    </li>
  );
}
