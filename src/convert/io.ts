/**
 * The converter's only contact with storage: byte sources to read a checkpoint and an output folder
 * to write a model. Node files implement them today (scripts/convert/node-io.ts); a folder picked in
 * the page (File / OPFS) can implement them later without touching the conversion code.
 */

/** Random-access reads of one file. */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`; rejects if the file is shorter. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A folder of input files (a checkpoint). */
export interface InputFolder {
  /** Names of the files in the folder (no sub-folders needed). */
  list(): Promise<string[]>;
  open(name: string): Promise<ByteSource>;
}

export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** A folder the converter writes into. Paths are relative, '/'-separated (e.g. 'onnx/x.onnx'). */
export interface OutputFolder {
  list(): Promise<string[]>;
  readText(path: string): Promise<string | null>;
  create(path: string): Promise<ByteSink>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
}

export async function readText(src: ByteSource): Promise<string> {
  return new TextDecoder().decode(await src.read(0, src.size));
}
