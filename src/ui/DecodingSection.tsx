import { MaxTokensInput } from './MaxTokensInput';
import { ModeSelect } from './ModeSelect';
import { SamplingControls } from './SamplingControls';

export function DecodingSection() {
  return (
    <section className="panel" aria-labelledby="decoding-heading">
      <h2 id="decoding-heading">Decoding</h2>
      <ModeSelect />
      <SamplingControls />
      <MaxTokensInput />
    </section>
  );
}
