import { loadCustomTrio, setDownloadPlan } from '../state/modelActions';
import { useApp } from '../state/store';
import { BackendPicker } from './BackendPicker';
import { LoadControls } from './LoadControls';
import { MemoryReadout } from './MemoryReadout';
import { ModelCacheDetails } from './ModelCacheDetails';
import { ModelLoadProgress } from './ModelLoadProgress';
import { CustomTrioPicker } from './models';
import { ModelStatusList } from './ModelStatusList';
import { PlacementPicker } from './PlacementPicker';
import { PresetDownloadPlan } from './PresetDownloadPlan';
import { TrioPicker } from './TrioPicker';
import { TrioSourceToggle } from './TrioSourceToggle';

/**
 * The one place for models: a preset or a custom trio (hub repos, folders on disk or on this server),
 * the download size before loading, load progress with retry, model status, memory and the model
 * cache. The custom trio, plan, progress and cache views are the shared components of ui/models.
 */
export function ModelsSection() {
  const source = useApp((s) => s.settings.trioSource);
  const backend = useApp((s) => s.settings.backend);
  const locked = useApp((s) => s.load.status === 'loading' || s.run.status !== 'idle');
  return (
    <section className="panel" aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      <TrioSourceToggle />
      {source === 'preset' && <TrioPicker />}
      <BackendPicker />
      <PlacementPicker />
      {source === 'preset' ? (
        <PresetDownloadPlan />
      ) : (
        <CustomTrioPicker
          backend={backend}
          disabled={locked}
          onLoad={(models, label) => void loadCustomTrio(models, label)}
          onPlan={setDownloadPlan}
        />
      )}
      <LoadControls showLoadButton={source === 'preset'} />
      <ModelLoadProgress />
      <ModelStatusList />
      <MemoryReadout />
      <ModelCacheDetails />
    </section>
  );
}
