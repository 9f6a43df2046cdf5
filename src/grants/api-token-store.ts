/**
 * Bearer tokens for the admin JSON API (/api/v1), one or more per staff
 * account (table api_tokens, migration 3).
 *
 * Invariants:
 * - A token is `wgt_` + 32 random bytes (base64url). It is shown once, when
 *   issued; the table keeps only its SHA-256, so the database cannot be used
 *   to call the API.
 * - A token acts as its staff account, with the account's role and group as
 *   they are at each call (a disabled account's tokens stop working, a GSM
 *   moved to another group decides for the new one).
 * - A token stops working at its expiry or when revoked; revoking is final.
 * - Issuing and revoking are audit events (`token-issue`, `token-revoke`,
 *   subject `staff:<id>`), written in the same transaction as the change.
 * - `last_used_at` is written at most once a minute per token: each write
 *   wakes the proxy's store watcher.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WfError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { staffActor } from './actor.ts';
import { appendAuditEvent } from './sqlite-audit.ts';
import { DAY_MS, fromIso, fromIsoOrNull, toIso, toIsoOrNull } from './time.ts';

export const TOKEN_PREFIX = 'wgt_';
/** Longest a token may live, in days; tokens without an expiry are allowed but discouraged in the docs. */
export const MAX_TOKEN_DAYS = 3650;
const MAX_TOKEN_NAME_LENGTH = 100; // characters
const TOUCH_EVERY_MS = 60_000; // 1 min

export interface ApiTokenRecord {
  /** `t_` + 8 hex digits: how people name the token (list, revoke). Not the secret. */
  readonly id: string;
  readonly staffId: string;
  readonly name: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

interface TokenRow {
  id: string;
  staff_id: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface IssueTokenInput {
  readonly staffId: string;
  readonly name?: string | undefined;
  /** Days until it stops working; undefined for no expiry. */
  readonly expiresDays?: number | undefined;
  /** Who issues it (actor string), for the audit trail. */
  readonly actor: string;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class ApiTokenStore {
  readonly #db: Database;
  readonly #clock: () => number;

  constructor(db: Database, clock: () => number = Date.now) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Issues a token; the returned `token` is the only copy of the secret. */
  issue(input: IssueTokenInput): { token: string; record: ApiTokenRecord } {
    const name = checkName(input.name ?? 'api');
    const days = input.expiresDays;
    if (days !== undefined && (!Number.isSafeInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
      throw new WfError('WF_ERR_INVALID_INPUT', `a token's expiry must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}, got ${String(days)}`);
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return this.#db.transaction(() => {
      const staff = this.#db.prepare<[string], { id: string }>('SELECT id FROM staff WHERE id = ?').get(input.staffId);
      if (staff === undefined) throw new WfError('WF_ERR_NOT_FOUND', `staff account "${input.staffId}" does not exist (see "wardgate users list")`);
      const now = this.#clock();
      const id = this.#newId();
      this.#db
        .prepare('INSERT INTO api_tokens (id, token_hash, staff_id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, hashToken(token), input.staffId, name, toIso(now), days === undefined ? null : toIso(now + days * DAY_MS));
      const record = this.#require(id);
      appendAuditEvent(this.#db, { at: now, actor: input.actor, action: 'token-issue', subject: staffActor(input.staffId), before: null, after: tokenToJson(record) });
      return { token, record };
    }).immediate();
  }

  /** The token's record when it is live (known, not revoked, not expired), else null. Marks it used. */
  verify(token: string): ApiTokenRecord | null {
    if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const row = this.#db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?').get(hashToken(token));
    if (row === undefined) return null;
    const record = toRecord(row);
    const now = this.#clock();
    if (record.revokedAt !== null || (record.expiresAt !== null && now >= record.expiresAt)) return null;
    if (record.lastUsedAt === null || now - record.lastUsedAt >= TOUCH_EVERY_MS) {
      this.#db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(toIso(now), record.id);
    }
    return record;
  }

  /** One account's tokens (all of them, revoked too), newest first. */
  list(staffId: string): ApiTokenRecord[] {
    return this.#db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE staff_id = ? ORDER BY created_at DESC, id').all(staffId).map(toRecord);
  }

  revoke(id: string, actor: string): ApiTokenRecord {
    return this.#db.transaction(() => {
      const before = this.#require(id);
      if (before.revokedAt !== null) throw new WfError('WF_ERR_CONFLICT', `token ${id} was already revoked at ${toIso(before.revokedAt)}`);
      const now = this.#clock();
      this.#db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(toIso(now), id);
      const after = this.#require(id);
      appendAuditEvent(this.#db, { at: now, actor, action: 'token-revoke', subject: staffActor(after.staffId), before: tokenToJson(before), after: tokenToJson(after) });
      return after;
    }).immediate();
  }

  #require(id: string): ApiTokenRecord {
    const row = this.#db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE id = ?').get(id);
    if (row === undefined) throw new WfError('WF_ERR_NOT_FOUND', `token "${id}" does not exist (see "wardgate users tokens ID")`);
    return toRecord(row);
  }

  #newId(): string {
    const exists = this.#db.prepare('SELECT 1 FROM api_tokens WHERE id = ?');
    for (;;) {
      const id = `t_${randomBytes(4).toString('hex')}`;
      if (exists.get(id) === undefined) return id;
    }
  }
}

/** A token as JSON (CLI --json, audit before/after); it never holds the secret or its hash. */
export function tokenToJson(record: ApiTokenRecord): Record<string, unknown> {
  return {
    id: record.id,
    staffId: record.staffId,
    name: record.name,
    createdAt: toIso(record.createdAt),
    expiresAt: toIsoOrNull(record.expiresAt),
    lastUsedAt: toIsoOrNull(record.lastUsedAt),
    revokedAt: toIsoOrNull(record.revokedAt),
  };
}

function toRecord(row: TokenRow): ApiTokenRecord {
  return Object.freeze({
    id: row.id,
    staffId: row.staff_id,
    name: row.name,
    createdAt: fromIso(row.created_at),
    expiresAt: fromIsoOrNull(row.expires_at),
    lastUsedAt: fromIsoOrNull(row.last_used_at),
    revokedAt: fromIsoOrNull(row.revoked_at),
  });
}

function checkName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || [...trimmed].length > MAX_TOKEN_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new WfError('WF_ERR_INVALID_INPUT', `a token name must be one line of 1 to ${MAX_TOKEN_NAME_LENGTH} printable characters`);
  }
  return trimmed;
}
