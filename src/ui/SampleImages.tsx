import { setImageFromSample } from '../state/imageActions';
import { SAMPLES } from './samples';

/** One click to a ready-made input: a chart, a geometry figure, a scene. */
export function SampleImages() {
  return (
    <div className="samples" role="group" aria-labelledby="samples-label">
      <span id="samples-label" className="label">
        Or try a sample
      </span>
      <div className="samples__row">
        {SAMPLES.map((s) => (
          <button
            key={s.id}
            type="button"
            className="sample"
            onClick={() => void setImageFromSample(s.url, `${s.id}.png`, s.question)}
          >
            <img src={s.url} alt="" width={72} height={48} />
            <span>{s.label}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
