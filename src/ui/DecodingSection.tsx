import { MaxTokensInput } from './MaxTokensInput';
import { ModeSelect } from './ModeSelect';
import { ResolutionControl } from './ResolutionControl';
import { SamplingControls } from './SamplingControls';

export function DecodingSection() {
  return (
    <section className="panel" aria-labelledby="decoding-heading">
      <h2 id="decoding-heading">Decoding</h2>
      <ModeSelect />
      <ResolutionControl />
      <SamplingControls />
      <MaxTokensInput />
    </section>
  );
}
