import type { ModelRole } from '../core/presets';
import { totalBytes } from '../state/loadView';
import { useApp } from '../state/store';
import { formatMs } from './format';
import { ModelStoppedNotice } from './ModelStoppedNotice';

const PHASES = {
  waiting: 'waiting',
  download: 'downloading',
  compile: 'compiling',
  warmup: 'warming up',
  ready: 'ready',
} as const;
const ROLE_LABEL: Record<ModelRole, string> = { base: 'Base', expert: 'Expert', amateur: 'Amateur' };

/** One model: phase, download bar, backend and why (files are listed by the load progress). */
export function ModelStatusCard({ role }: { role: ModelRole }) {
  const model = useApp((s) => s.load.models[role]);
  const info = model.info;
  const bytes = totalBytes(model);
  const phase = model.stopped ? 'stopped' : model.phase;
  return (
    <li className="model-card" aria-label={`${ROLE_LABEL[role]} model`} data-phase={phase}>
      <div className="model-card__head">
        <strong>{ROLE_LABEL[role]}</strong>
        <span className={`phase phase--${phase}`}>{model.stopped ? 'stopped' : PHASES[model.phase]}</span>
        {info && (
          <span className={`badge badge--${info.backend}`} title={info.backendReason}>
            {info.backend === 'webgpu' ? 'WebGPU' : 'WASM'}
          </span>
        )}
      </div>
      {model.stopped && <ModelStoppedNotice stopped={model.stopped} label={ROLE_LABEL[role]} />}
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
    </li>
  );
}
