import { MAX_NEW_TOKENS_LIMIT } from '../state/request';
import { setSetting } from '../state/settingsActions';
import { useApp } from '../state/store';

export function MaxTokensInput() {
  const value = useApp((s) => s.settings.maxNewTokens);
  const running = useApp((s) => s.run.status !== 'idle');
  return (
    <div className="field">
      <label htmlFor="max-new-tokens">Max new tokens</label>
      <input
        id="max-new-tokens"
        type="number"
        min={1}
        max={MAX_NEW_TOKENS_LIMIT}
        step={1}
        value={value}
        disabled={running}
        onChange={(e) => setSetting('maxNewTokens', e.target.value)}
      />
    </div>
  );
}
