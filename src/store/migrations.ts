/**
 * Schema migrations for the embedded SQLite store: a versioned, append-only
 * list, and the runner that brings a database up to date when it is opened.
 *
 * Invariants:
 * - `MIGRATIONS` only ever grows at the end. A released migration is never
 *   edited: a database that already ran it would not run the new text.
 *   Later features (grants, staff accounts) add migration 2, 3, … here.
 * - Versions are 1, 2, 3, … with no gaps (checked when this module loads).
 * - Each migration runs in its own IMMEDIATE transaction together with its
 *   `schema_migrations` row, so a failed one leaves no trace and two
 *   processes opening the same new database cannot both apply it.
 * - A database that has a version this code does not know was written by a
 *   newer wardgate; it is refused rather than used with a guessed schema.
 */
import type Database from 'better-sqlite3';
import { WfError } from '../errors.ts';

export interface Migration {
  readonly version: number;
  /** Short kebab-case label, recorded in schema_migrations for people reading the DB. */
  readonly name: string;
  readonly sql: string;
}

/** ISO-8601 UTC with milliseconds, the timestamp format of every table. */
const NOW_SQL = `(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'directory',
    sql: `
      CREATE TABLE groups (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT ${NOW_SQL}
      );
      CREATE TABLE members (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        group_id      TEXT NOT NULL REFERENCES groups(id),
        password_hash TEXT,
        created_at    TEXT NOT NULL DEFAULT ${NOW_SQL},
        updated_at    TEXT NOT NULL DEFAULT ${NOW_SQL}
      );
      CREATE INDEX members_group_id ON members(group_id);
      CREATE TABLE member_ips (
        address   TEXT PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE
      );
      CREATE INDEX member_ips_member_id ON member_ips(member_id);
    `,
  },
  {
    version: 2,
    name: 'grants',
    // Times are written by the application (its clock, ISO-8601 UTC with ms) so
    // that expiry and audit order follow the same clock the decisions use.
    // Grants and staff are never deleted once they carry history: the FKs from
    // grants to members and staff make SQLite refuse a delete that would orphan
    // them. audit_events is append-only, enforced by the triggers at the end.
    sql: `
      CREATE TABLE staff (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('gsm', 'admin', 'auditor')),
        group_id      TEXT REFERENCES groups(id),
        member_id     TEXT UNIQUE REFERENCES members(id),
        password_hash TEXT NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
        locked_until  TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        CHECK ((role = 'gsm') = (group_id IS NOT NULL))
      );
      CREATE INDEX staff_group_id ON staff(group_id);
      CREATE TABLE grants (
        id             TEXT PRIMARY KEY,
        member_id      TEXT NOT NULL REFERENCES members(id),
        scope_kind     TEXT NOT NULL CHECK (scope_kind IN ('category', 'domain', 'url')),
        scope_value    TEXT NOT NULL CHECK (length(scope_value) > 0),
        reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        requested_days INTEGER CHECK (requested_days IS NULL OR requested_days > 0),
        requested_at   TEXT NOT NULL,
        requested_by   TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'revoked', 'expired')),
        decided_by     TEXT REFERENCES staff(id),
        decided_at     TEXT,
        decision_note  TEXT,
        expires_at     TEXT,
        revoked_by     TEXT REFERENCES staff(id),
        revoked_at     TEXT,
        revoke_note    TEXT,
        updated_at     TEXT NOT NULL,
        CHECK ((status = 'pending') = (decided_by IS NULL AND decided_at IS NULL)),
        CHECK (status NOT IN ('approved', 'revoked', 'expired') OR expires_at IS NOT NULL),
        CHECK ((status = 'revoked') = (revoked_by IS NOT NULL AND revoked_at IS NOT NULL))
      );
      CREATE INDEX grants_member_id ON grants(member_id, requested_at);
      CREATE INDEX grants_status ON grants(status, expires_at);
      CREATE TABLE audit_events (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        subject TEXT NOT NULL,
        before  TEXT CHECK (before IS NULL OR json_valid(before)),
        after   TEXT CHECK (after IS NULL OR json_valid(after))
      );
      CREATE INDEX audit_events_subject ON audit_events(subject, id);
      CREATE INDEX audit_events_actor ON audit_events(actor, id);
      CREATE INDEX audit_events_at ON audit_events(at);
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only: an audit event cannot be changed');
      END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN
        SELECT RAISE(ABORT, 'audit_events is append-only: an audit event cannot be deleted');
      END;
    `,
  },
  {
    version: 3,
    name: 'admin-sessions-and-tokens',
    // Staff sign-in sessions of the admin web UI and the bearer tokens of the
    // JSON API (src/admin/). Only SHA-256 hashes of session ids and tokens are
    // stored: a copy of the database lets nobody sign in. Self-contained (no
    // change to earlier tables) so it can be renumbered when branches merge.
    sql: `
      CREATE TABLE admin_sessions (
        id_hash      TEXT PRIMARY KEY,
        staff_id     TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
        csrf_token   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        client       TEXT
      );
      CREATE INDEX admin_sessions_staff_id ON admin_sessions(staff_id);
      CREATE TABLE api_tokens (
        id           TEXT PRIMARY KEY,
        token_hash   TEXT NOT NULL UNIQUE,
        staff_id     TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        expires_at   TEXT,
        last_used_at TEXT,
        revoked_at   TEXT
      );
      CREATE INDEX api_tokens_staff_id ON api_tokens(staff_id);
    `,
  },
  {
    version: 4,
    name: 'email-addresses',
    // Where notifications go (src/notify): a member hears of decisions on their
    // requests, a Group Support Manager of their members' new requests. NULL:
    // no email for that person. The full syntax check is in
    // src/directory/email.ts; the CHECK only keeps obvious junk out of the file.
    sql: `
      ALTER TABLE members ADD COLUMN email TEXT CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND instr(email, '@') > 1));
      ALTER TABLE staff ADD COLUMN email TEXT CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND instr(email, '@') > 1));
    `,
  },
  {
    version: 5,
    name: 'category-settings',
    // Per-category overrides set by an administrator in the admin web UI
    // (src/grants/category-settings-store.ts). NULL: no override, so the
    // configuration file's / meta.json's value applies. Rows for categories
    // that no longer exist are kept and ignored. Self-contained so it can be
    // renumbered when branches merge.
    sql: `
      CREATE TABLE category_settings (
        category_id TEXT PRIMARY KEY,
        enforced    INTEGER NULL CHECK (enforced IN (0, 1)),
        grantable   INTEGER NULL CHECK (grantable IN (0, 1)),
        updated_at  TEXT NOT NULL,
        updated_by  TEXT NOT NULL
      );
    `,
  },
]);

assertWellFormed(MIGRATIONS);

/** The schema version this build of wardgate expects. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}; expected ${index + 1}`);
    }
  });
}

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT ${NOW_SQL}
  )`;

/** Highest applied version, 0 for a fresh database (read-only safe). */
export function currentSchemaVersion(db: Database.Database): number {
  const ledger = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
    .get();
  if (ledger === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

function refuseNewer(found: number, where: string): never {
  throw new WfError(
    'WF_ERR_STORE',
    `the database at ${where} has schema version ${found}, but this wardgate only knows up to version ` +
      `${LATEST_SCHEMA_VERSION}: it was written by a newer wardgate. Upgrade wardgate, or point --data-dir at another directory.`,
  );
}

/**
 * Applies every pending migration, each in its own transaction.
 * `where` names the database file in error messages.
 */
export function migrate(db: Database.Database, where: string): void {
  db.exec(CREATE_LEDGER);
  const found = currentSchemaVersion(db);
  if (found > LATEST_SCHEMA_VERSION) refuseNewer(found, where);
  // The usual case (nothing pending) takes no write lock, so opening stays cheap beside a busy writer.
  for (const migration of MIGRATIONS) {
    if (migration.version > found) applyMigration(db, migration, where);
  }
}

function applyMigration(db: Database.Database, migration: Migration, where: string): void {
  const apply = db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated since we looked.
    const found = currentSchemaVersion(db);
    if (found > LATEST_SCHEMA_VERSION) refuseNewer(found, where);
    if (found >= migration.version) return;
    db.exec(migration.sql);
    db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(migration.version, migration.name);
  });
  try {
    apply.immediate();
  } catch (error) {
    if (error instanceof WfError) throw error;
    throw new WfError(
      'WF_ERR_STORE',
      `could not upgrade the database at ${where} to schema version ${migration.version} (${migration.name}): ${describe(error)}`,
      { cause: error },
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * For read-only connections, which cannot migrate: the schema must already
 * be exactly the one this code expects.
 */
export function assertSchemaCurrent(db: Database.Database, where: string): void {
  const found = currentSchemaVersion(db);
  if (found > LATEST_SCHEMA_VERSION) refuseNewer(found, where);
  if (found < LATEST_SCHEMA_VERSION) {
    throw new WfError(
      'WF_ERR_STORE',
      `the database at ${where} has schema version ${found}, older than this wardgate's ${LATEST_SCHEMA_VERSION}, ` +
        'and it was opened read-only so it cannot be upgraded. Run any wardgate command that writes (e.g. `wardgate groups list`) once to upgrade it.',
    );
  }
}
