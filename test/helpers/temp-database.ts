/** A store database for one test: a fresh temporary folder, closed and removed when the test ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/database.ts';

export function tempDatabase(t: { after(fn: () => void): void }, prefix = 'wardgate-db-'): Database {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = openDatabase(dir);
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}
