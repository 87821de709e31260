/** The converter's storage interfaces over Node's file system. */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ByteSink, ByteSource, InputFolder, OutputFolder } from '../../src/convert/io';

/** One read() call returns at most this much (Linux caps a read near 2 GiB). */
const MAX_READ = 1 << 30;

export function nodeInputFolder(dir: string): InputFolder {
  return {
    async list() {
      return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    },
    async open(name) {
      const path = join(dir, name);
      const size = (await stat(path)).size;
      return nodeSource(path, name, size);
    },
  };
}

function nodeSource(path: string, name: string, size: number): ByteSource {
  return {
    name,
    size,
    async read(offset, length) {
      if (offset + length > size) throw new Error(`${name}: read of ${length} bytes at ${offset} passes the end (${size} bytes)`);
      const out = new Uint8Array(length);
      const fh = await open(path, 'r');
      try {
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(out, done, Math.min(MAX_READ, length - done), offset + done);
          if (bytesRead === 0) throw new Error(`${name}: the file ended early (truncated?)`);
          done += bytesRead;
        }
      } finally {
        await fh.close();
      }
      return out;
    },
  };
}

export function nodeOutputFolder(dir: string): OutputFolder {
  const abs = (p: string) => join(dir, ...p.split('/'));
  return {
    async list() {
      const out: string[] = [];
      const walk = async (d: string) => {
        let entries;
        try {
          entries = await readdir(d, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const p = join(d, e.name);
          if (e.isDirectory()) await walk(p);
          else out.push(relative(dir, p).split(sep).join('/'));
        }
      };
      await walk(dir);
      return out.sort();
    },
    async readText(path) {
      try {
        return await readFile(abs(path), 'utf8');
      } catch {
        return null;
      }
    },
    async create(path) {
      await mkdir(dirname(abs(path)), { recursive: true });
      return nodeSink(abs(path));
    },
    async rename(from, to) {
      await rename(abs(from), abs(to));
    },
    async remove(path) {
      await rm(abs(path), { force: true });
    },
  };
}

function nodeSink(path: string): ByteSink {
  const stream = createWriteStream(path);
  let failed: Error | null = null;
  stream.on('error', (e) => (failed = e));
  return {
    write(bytes) {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        stream.write(bytes, (e) => (e ? reject(e) : resolve()));
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (failed) return reject(failed);
        stream.end((e?: Error | null) => (e ? reject(e) : resolve()));
      });
    },
  };
}
