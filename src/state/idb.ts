/** Opening an IndexedDB database (via idb) once, lazily, for the stores of the page. */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/**
 * A function that opens the database on first use and then hands back the same connection. Another
 * tab that wants a newer version gets it (this connection closes and the next call reopens); a failed
 * open is tried again on the next call.
 */
export function lazyDatabase<S extends DBSchema>(
  name: string,
  version: number,
  upgrade: (d: IDBPDatabase<S>) => void,
): () => Promise<IDBPDatabase<S>> {
  let db: Promise<IDBPDatabase<S>> | null = null;
  return () => {
    db ??= openDB<S>(name, version, {
      upgrade: (d) => upgrade(d),
      blocking() {
        void db?.then((d) => d.close());
        db = null;
      },
    }).catch((e: unknown) => {
      db = null;
      throw e;
    });
    return db;
  };
}
