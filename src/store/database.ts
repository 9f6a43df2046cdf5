/**
 * The embedded store: one SQLite file, `<dataDir>/wardgate.db`, opened with
 * better-sqlite3 and brought up to the current schema (migrations.ts).
 *
 * Several processes share the file: the running proxy reads it, `wardgate
 * members …` and the admin server write it. WAL lets readers go on while one
 * writer commits, and busy_timeout makes a second writer wait its turn
 * instead of failing at once. Foreign keys are per connection in SQLite, so
 * they are switched on here for every connection, never assumed.
 *
 * Every failure to open becomes WF_ERR_STORE naming the file, with a hint.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { WfError } from '../errors.ts';
import { assertSchemaCurrent, migrate } from './migrations.ts';

export type Database = BetterSqlite3.Database;

export const DATABASE_FILE = 'wardgate.db';

/** How long a connection waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;

export interface OpenDatabaseOptions {
  /** Open without write access: the file must exist and already be at the current schema. */
  readonly readonly?: boolean;
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

/** Opens (creating when needed) and migrates the store in `dataDir`. The caller closes it. */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Database {
  const readonly = options.readonly === true;
  const file = databasePath(dataDir);
  if (!readonly) ensureDirectory(dataDir);
  else if (!fs.existsSync(file)) {
    throw new WfError(
      'WF_ERR_STORE',
      `there is no wardgate database at ${file} yet: check --data-dir, or create it by running a command that writes (e.g. \`wardgate groups list\`)`,
    );
  }
  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw openError(file, error);
  }
  try {
    configure(db, readonly);
    if (readonly) assertSchemaCurrent(db, file);
    else migrate(db, file);
  } catch (error) {
    db.close();
    throw error instanceof WfError ? error : openError(file, error);
  }
  return db;
}

function configure(db: Database, readonly: boolean): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // A read-only connection cannot change the journal mode; it inherits the file's.
  // Where WAL is unavailable (some network file systems) SQLite keeps its
  // rollback journal: slower under contention, still correct, so carry on.
  if (!readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
}

function ensureDirectory(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new WfError(
      'WF_ERR_STORE',
      `cannot create the data directory ${dataDir}: ${reason(error)}. ` +
        'Check its permissions, or choose another with --data-dir.',
      { cause: error },
    );
  }
}

function openError(file: string, error: unknown): WfError {
  return new WfError('WF_ERR_STORE', `cannot open the wardgate database at ${file}: ${reason(error)}. ${hint(error)}`, {
    cause: error,
  });
}

function hint(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return 'The file is damaged or is not a wardgate database: restore it from a backup, or move it aside to start afresh.';
  }
  if (code === 'SQLITE_CANTOPEN') {
    return 'Check that the file exists (run a command that writes, e.g. `wardgate groups list`, to create it) and that this user may read and write it and its directory.';
  }
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return 'This user may not write to it or its directory: check the permissions.';
  }
  if (code === 'SQLITE_BUSY') return 'Another process held it locked for too long: try again.';
  return 'Check the file and its directory.';
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
