import { LoadControls } from './LoadControls';
import { MemoryReadout } from './MemoryReadout';
import { ModelStatusList } from './ModelStatusList';
import { TrioPicker } from './TrioPicker';

export function ModelsSection() {
  return (
    <section className="panel" aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      <TrioPicker />
      <LoadControls />
      <ModelStatusList />
      <MemoryReadout />
    </section>
  );
}
