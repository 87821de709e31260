import { AppUpdateNotice } from './AppUpdateNotice';
import { EngineStatus } from './EngineStatus';

export function TopBar() {
  return (
    <header className="topbar">
      <div className="brand">
        <h1>ProxyThinker Web</h1>
        <p className="tagline">
          A large vision-language model reasoning with a small RL-tuned expert&rsquo;s guidance: z = z
          <sub>base</sub> + α·(z<sub>expert</sub> − z<sub>amateur</sub>), all in your browser.
        </p>
      </div>
      <AppUpdateNotice />
      <EngineStatus />
    </header>
  );
}
