import { useState, type DragEvent } from 'react';
import { clearImage, setImageFromFiles } from '../state/imageActions';
import { useApp } from '../state/store';

/** The input image: drop it here, pick a file, or paste anywhere; its preview and any message. */
export function ImageDropZone() {
  const image = useApp((s) => s.image.current);
  const decoding = useApp((s) => s.image.decoding);
  const error = useApp((s) => s.image.error);
  const notice = useApp((s) => s.image.notice);
  const [dragging, setDragging] = useState(false);

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    setImageFromFiles(e.dataTransfer.files, 'drop');
  };

  return (
    <div className="stack">
      <div
        className={`dropzone${dragging ? ' dropzone--over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        {image ? (
          <figure className="preview">
            <img src={image.previewUrl} alt={`Input image ${image.name}`} />
            <figcaption>
              {image.name} · {image.payload.width}×{image.payload.height}
            </figcaption>
          </figure>
        ) : (
          <p className="dropzone__hint">Drop an image here or paste one (Ctrl+V)</p>
        )}
        <div className="row">
          <label className="button button--file">
            <input
              type="file"
              accept="image/*"
              className="visually-hidden"
              onChange={(e) => {
                const files = e.currentTarget.files;
                setImageFromFiles(files, 'file picker');
                e.currentTarget.value = '';
              }}
            />
            Choose image file
          </label>
          {image && (
            <button type="button" className="button button--quiet" onClick={clearImage}>
              Remove image
            </button>
          )}
        </div>
        {decoding && (
          <p className="hint" role="status">
            Reading the image…
          </p>
        )}
      </div>
      {error && (
        <p className="message message--error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="message message--info" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}
