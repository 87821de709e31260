import { useApp } from '../state/store';

/** The loaded trio at a glance, in the top bar. */
export function EngineStatus() {
  const status = useApp((s) => s.load.status);
  const loaded = useApp((s) => s.load.loaded);
  const backend = useApp((s) => s.load.models.base.info?.backend ?? null);
  const text =
    status === 'loaded' && loaded
      ? `${loaded.label} · ${backend === 'webgpu' ? 'WebGPU' : 'WASM'}${loaded.dtype !== 'preset' ? ` · ${loaded.dtype}` : ''}`
      : status === 'loading'
        ? 'Loading models…'
        : status === 'error'
          ? 'Loading failed'
          : 'No models loaded';
  return (
    <p className={`engine-status engine-status--${status}`} role="status">
      <span className="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
