/**
 * Staff sign-in sessions of the admin web UI, kept server-side in SQLite
 * (table admin_sessions, migration 3).
 *
 * Invariants:
 * - The session id the browser holds is 32 random bytes; the table keeps
 *   only its SHA-256, so a copy of the database (a backup) signs nobody in.
 * - Each session carries its own CSRF token (a synchroniser token): forms
 *   embed it, state-changing requests must send it back (csrf.ts).
 * - A session ends at the first of: logout, `idleMs` without a request,
 *   `absoluteMs` after sign-in, the account being disabled or its password
 *   changed (destroyAllFor). An expired session is deleted when next seen.
 * - Signing in always creates a new id (the old one, if any, is destroyed by
 *   the caller), so an id planted before sign-in is worth nothing after it.
 * - `last_seen_at` is written at most once per `touchEveryMs`: every write
 *   wakes the proxy's store watcher, so a page view must not cost a rebuild.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../store/database.ts';
import { fromIso, toIso } from '../grants/time.ts';

export interface SessionSettings {
  /** A session unused for this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly absoluteMs: number;
  /** Granularity of the idle clock (writes of last_seen_at). */
  readonly touchEveryMs: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = Object.freeze({
  idleMs: 30 * 60_000, // 30 min
  absoluteMs: 12 * 3_600_000, // 12 h: one working day
  touchEveryMs: 60_000, // 1 min
});

export interface Session {
  readonly staffId: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

interface SessionRow {
  id_hash: string;
  staff_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
}

/** Session ids and CSRF tokens: 32 random bytes, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Why a session id does not resolve (for tests and logs; the user just signs in again). */
export type SessionLookup = { readonly session: Session } | { readonly session: null; readonly why: 'unknown' | 'idle' | 'absolute' };

export class SessionStore {
  readonly #db: Database;
  readonly #settings: SessionSettings;
  readonly #clock: () => number;

  constructor(db: Database, settings: SessionSettings = DEFAULT_SESSION_SETTINGS, clock: () => number = Date.now) {
    this.#db = db;
    this.#settings = settings;
    this.#clock = clock;
  }

  get settings(): SessionSettings {
    return this.#settings;
  }

  /** A new session for `staffId`; returns the id to put in the cookie (never stored). */
  create(staffId: string, client: string | null): { id: string; session: Session } {
    const id = randomToken();
    const now = this.#clock();
    const session: Session = Object.freeze({ staffId, csrfToken: randomToken(), createdAt: now, lastSeenAt: now });
    this.#db
      .prepare('INSERT INTO admin_sessions (id_hash, staff_id, csrf_token, created_at, last_seen_at, client) VALUES (?, ?, ?, ?, ?, ?)')
      .run(sha256(id), staffId, session.csrfToken, toIso(now), toIso(now), client);
    return { id, session };
  }

  /** The live session for a cookie value, marking it used; expired ones are deleted. */
  lookup(id: string): SessionLookup {
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) return { session: null, why: 'unknown' };
    const idHash = sha256(id);
    const row = this.#db.prepare<[string], SessionRow>('SELECT * FROM admin_sessions WHERE id_hash = ?').get(idHash);
    if (row === undefined) return { session: null, why: 'unknown' };
    const now = this.#clock();
    const createdAt = fromIso(row.created_at);
    const lastSeenAt = fromIso(row.last_seen_at);
    const why = now - createdAt >= this.#settings.absoluteMs ? 'absolute' : now - lastSeenAt >= this.#settings.idleMs ? 'idle' : null;
    if (why !== null) {
      this.#db.prepare('DELETE FROM admin_sessions WHERE id_hash = ?').run(idHash);
      return { session: null, why };
    }
    let seen = lastSeenAt;
    if (now - lastSeenAt >= this.#settings.touchEveryMs) {
      this.#db.prepare('UPDATE admin_sessions SET last_seen_at = ? WHERE id_hash = ?').run(toIso(now), idHash);
      seen = now;
    }
    return { session: Object.freeze({ staffId: row.staff_id, csrfToken: row.csrf_token, createdAt, lastSeenAt: seen }) };
  }

  destroy(id: string): void {
    if (typeof id === 'string' && id.length > 0) this.#db.prepare('DELETE FROM admin_sessions WHERE id_hash = ?').run(sha256(id));
  }

  /** Ends every session of one account (disabled, password changed), but `exceptId` when given. */
  destroyAllFor(staffId: string, exceptId?: string): number {
    return this.#db.prepare('DELETE FROM admin_sessions WHERE staff_id = ? AND id_hash <> ?').run(staffId, exceptId === undefined ? '' : sha256(exceptId)).changes;
  }

  /** Deletes sessions past either expiry; returns how many. */
  purgeExpired(): number {
    const now = this.#clock();
    return this.#db
      .prepare('DELETE FROM admin_sessions WHERE created_at <= ? OR last_seen_at <= ?')
      .run(toIso(now - this.#settings.absoluteMs), toIso(now - this.#settings.idleMs)).changes;
  }
}
