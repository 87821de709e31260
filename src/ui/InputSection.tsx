import { ImageDropZone } from './ImageDropZone';
import { QuestionInput } from './QuestionInput';
import { SampleImages } from './SampleImages';

export function InputSection() {
  return (
    <section className="panel" aria-labelledby="input-heading">
      <h2 id="input-heading">Input</h2>
      <ImageDropZone />
      <SampleImages />
      <QuestionInput />
    </section>
  );
}
