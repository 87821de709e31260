import { stoppedRoles } from '../state/stoppedModels';
import { useApp } from '../state/store';

/** The loaded trio at a glance, in the top bar; says so when one of its models stopped. */
export function EngineStatus() {
  const status = useApp((s) => s.load.status);
  const loaded = useApp((s) => s.load.loaded);
  const backend = useApp((s) => s.load.models.base.info?.backend ?? null);
  const stopped = stoppedRoles(useApp((s) => s.load.models));
  const trio =
    loaded &&
    `${loaded.label} · ${backend === 'webgpu' ? 'WebGPU' : 'WASM'}${loaded.dtype !== 'preset' ? ` · ${loaded.dtype}` : ''}`;
  const text =
    status === 'loaded' && trio
      ? stopped.length > 0
        ? `${trio} · the ${stopped.join(' and ')} model${stopped.length > 1 ? 's' : ''} stopped`
        : trio
      : status === 'loading'
        ? 'Loading models…'
        : status === 'error'
          ? 'Loading failed'
          : 'No models loaded';
  const tone = status === 'loaded' && stopped.length > 0 ? 'stopped' : status;
  return (
    <p className={`engine-status engine-status--${tone}`} role="status">
      <span className="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
