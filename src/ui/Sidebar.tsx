import { DecodingSection } from './DecodingSection';
import { InputSection } from './InputSection';
import { ModelsSection } from './ModelsSection';

export function Sidebar() {
  return (
    <aside className="sidebar" aria-label="Settings">
      <InputSection />
      <ModelsSection />
      <DecodingSection />
    </aside>
  );
}
