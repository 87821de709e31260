import { requestPersistentStorage } from '../client/model-cache';
import { checkPresetDownload } from '../state/modelActions';
import { useApp } from '../state/store';
import { DownloadPlanView } from './models';

/** What the chosen preset will download, per model and against the free storage, before loading it. */
export function PresetDownloadPlan() {
  const plan = useApp((s) => s.load.plan);
  const planning = useApp((s) => s.load.planning);
  const planError = useApp((s) => s.load.planError);
  return (
    <div className="stack">
      <div className="row">
        <button
          type="button"
          className="button"
          disabled={planning}
          onClick={() => void checkPresetDownload()}
        >
          {planning ? 'Checking…' : 'Check download size'}
        </button>
      </div>
      {planError && (
        <p className="message message--error" role="alert">
          The download size could not be told: {planError}
        </p>
      )}
      {plan && (
        <DownloadPlanView
          plan={plan}
          onRequestPersist={() => void requestPersistentStorage().then(() => checkPresetDownload())}
        />
      )}
    </div>
  );
}
