/**
 * Staff accounts in the SQLite store: Group Support Managers (one group
 * each), ICT administrators and auditors, with scrypt password hashes
 * (src/directory/password.ts) and the failed-sign-in counter and lockout the
 * admin web login uses.
 *
 * Invariants, whoever calls (CLI, admin server):
 * - ids follow the directory's ID_PATTERN; names are one line, 1–200 chars;
 * - a gsm has exactly one existing group; admins and auditors have none;
 * - an optional link to the member the person also is (at most one account
 *   per member), which the self-decision rule uses;
 * - only hashes are stored, and no record, list or audit event shows one;
 * - an account that decided or revoked a grant is never deleted (the grant
 *   names it): it is disabled instead;
 * - every change writes its audit event in the same IMMEDIATE transaction;
 * - a new password, or disabling, ends the account's admin web sessions
 *   (table admin_sessions) in that same transaction, whoever made the
 *   change (web UI or CLI): a suspected account is cut off at once.
 */
import type { Statement } from 'better-sqlite3';
import { ID_PATTERN, MAX_NAME_LENGTH } from '../directory/directory-store.ts';
import { checkEmail } from '../directory/email.ts';
import { hashPassword, isPasswordHash, verifyPassword } from '../directory/password.ts';
import { WfError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { staffActor, SYSTEM_ACTOR } from './actor.ts';
import type { StaffFacts, StaffRole } from './grant-rules.ts';
import type { AuditAction } from './grant-store.ts';
import { appendAuditEvent } from './sqlite-audit.ts';
import { fromIso, fromIsoOrNull, toIso, toIsoOrNull } from './time.ts';

export const STAFF_ROLES: readonly StaffRole[] = Object.freeze(['gsm', 'admin', 'auditor']);

export interface StaffRecord extends StaffFacts {
  readonly name: string;
  readonly failedLogins: number;
  /** Epoch ms until which sign-in is refused, or null. */
  readonly lockedUntil: number | null;
  /** Where notifications go (a gsm: their members' new requests); null: no email. */
  readonly email: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewStaff {
  readonly id: string;
  /** Defaults to the id. */
  readonly name?: string | undefined;
  readonly role: StaffRole;
  readonly groupId?: string | null | undefined;
  readonly memberId?: string | null | undefined;
  /** hashPassword() output; never a password. */
  readonly passwordHash: string;
  readonly email?: string | null | undefined;
}

export interface StaffStoreOptions {
  readonly clock?: () => number;
  /** Consecutive failed sign-ins that lock an account (default 5). */
  readonly maxFailedLogins?: number;
  /** How long a locked account stays locked, in ms (default 15 minutes). */
  readonly lockoutMs?: number;
}

interface StaffRow {
  id: string;
  name: string;
  role: StaffRole;
  group_id: string | null;
  member_id: string | null;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  locked_until: string | null;
  email: string | null;
  created_at: string;
  updated_at: string;
}

const DEFAULT_MAX_FAILED_LOGINS = 5;
const DEFAULT_LOCKOUT_MS = 15 * 60_000;

/** Checked when the id is unknown, so a wrong user name costs the same time as a wrong password. */
let dummyHash: Promise<string> | undefined;

export class StaffStore {
  readonly #db: Database;
  readonly #clock: () => number;
  readonly #maxFailed: number;
  readonly #lockoutMs: number;
  readonly #byId: Statement<[string], StaffRow>;

  constructor(db: Database, options: StaffStoreOptions = {}) {
    this.#db = db;
    this.#clock = options.clock ?? Date.now;
    this.#maxFailed = options.maxFailedLogins ?? DEFAULT_MAX_FAILED_LOGINS;
    this.#lockoutMs = options.lockoutMs ?? DEFAULT_LOCKOUT_MS;
    this.#byId = db.prepare('SELECT * FROM staff WHERE id = ?');
  }

  add(staff: NewStaff, actor: string): StaffRecord {
    const id = checkId(staff.id);
    const name = checkName(staff.name ?? staff.id);
    const role = checkRole(staff.role);
    const groupId = staff.groupId ?? null;
    const memberId = staff.memberId ?? null;
    if (role === 'gsm' && groupId === null) throw invalid('a Group Support Manager (role gsm) needs the group they manage (--group GROUP)');
    if (role !== 'gsm' && groupId !== null) throw invalid(`a ${role} account belongs to no group: drop --group`);
    if (!isPasswordHash(staff.passwordHash)) throw invalid('the password hash is not in the scrypt format made by hashPassword()');
    const email = checkEmail(staff.email ?? null);
    return this.#write(() => {
      if (this.#byId.get(id) !== undefined) throw new WfError('WF_ERR_CONFLICT', `staff account "${id}" already exists`);
      if (groupId !== null && this.#db.prepare('SELECT 1 FROM groups WHERE id = ?').get(groupId) === undefined) {
        throw new WfError('WF_ERR_NOT_FOUND', `group "${groupId}" does not exist: add it first with "wardgate groups add"`);
      }
      if (memberId !== null) this.#assertMemberFree(memberId);
      const now = toIso(this.#clock());
      this.#db
        .prepare(
          `INSERT INTO staff (id, name, role, group_id, member_id, password_hash, email, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, name, role, groupId, memberId, staff.passwordHash, email, now, now);
      const record = this.#require(id);
      this.#audit(actor, 'staff-add', id, null, record);
      return record;
    });
  }

  get(id: string): StaffRecord | null {
    const row = this.#byId.get(id);
    return row === undefined ? null : toRecord(row);
  }

  list(): StaffRecord[] {
    return this.#db.prepare<[], StaffRow>('SELECT * FROM staff ORDER BY id').all().map(toRecord);
  }

  /** Enabled Group Support Managers of a group, oldest account first (who hears of that group's new requests). */
  gsmsOf(groupId: string): StaffRecord[] {
    return this.#db
      .prepare<[string], StaffRow>(`SELECT * FROM staff WHERE role = 'gsm' AND group_id = ? AND disabled = 0 ORDER BY created_at, id`)
      .all(groupId)
      .map(toRecord);
  }

  /** Whether any enabled admin account exists (`serve` tells the operator how to create one when not). */
  hasEnabledAdmin(): boolean {
    return this.#db.prepare(`SELECT 1 FROM staff WHERE role = 'admin' AND disabled = 0 LIMIT 1`).get() !== undefined;
  }

  /** Deletes an account that never decided anything; one with decisions must be disabled instead. */
  remove(id: string, actor: string): void {
    this.#write(() => {
      const before = this.#require(id);
      const row = this.#db
        .prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM grants WHERE decided_by = ? OR revoked_by = ?')
        .get(id, id);
      if ((row?.n ?? 0) > 0) {
        throw new WfError(
          'WF_ERR_CONFLICT',
          `staff account "${id}" decided or revoked ${row!.n} grant(s), which keep its name on record: disable it instead ("wardgate users disable ${id}")`,
        );
      }
      this.#db.prepare('DELETE FROM staff WHERE id = ?').run(id);
      this.#audit(actor, 'staff-remove', id, before, null);
    });
  }

  setPassword(id: string, passwordHash: string, actor: string): void {
    if (!isPasswordHash(passwordHash)) throw invalid('the password hash is not in the scrypt format made by hashPassword()');
    this.#write(() => {
      const before = this.#require(id);
      // A new password also lifts a lockout: the administrator has just dealt with the account.
      this.#db
        .prepare('UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?')
        .run(passwordHash, toIso(this.#clock()), id);
      this.#endSessions(id);
      this.#audit(actor, 'staff-passwd', id, before, this.#require(id));
    });
  }

  /** Disables, or re-enables (which also clears a lockout). */
  setDisabled(id: string, disabled: boolean, actor: string): StaffRecord {
    return this.#write(() => {
      const before = this.#require(id);
      this.#db
        .prepare(`UPDATE staff SET disabled = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`)
        .run(disabled ? 1 : 0, toIso(this.#clock()), id);
      if (disabled) this.#endSessions(id);
      const after = this.#require(id);
      this.#audit(actor, disabled ? 'staff-disable' : 'staff-enable', id, before, after);
      return after;
    });
  }

  /**
   * Checks a sign-in. Resolves to the account, or throws WF_ERR_AUTH: unknown
   * id or wrong password (one message for both), a locked account (not even
   * checked while locked) or a disabled one. `maxFailedLogins` failures in a
   * row lock the account for `lockoutMs`; a success resets the count.
   */
  async authenticate(id: string, password: string): Promise<StaffRecord> {
    const found = this.#byId.get(id);
    if (found === undefined) {
      await verifyPassword(password, await (dummyHash ??= hashPassword('wardgate-no-such-account')));
      throw wrongCredentials();
    }
    const lockedUntil = fromIsoOrNull(found.locked_until);
    if (lockedUntil !== null && this.#clock() < lockedUntil) {
      throw new WfError('WF_ERR_AUTH', `too many failed sign-ins: account "${id}" is locked until ${toIso(lockedUntil)}`);
    }
    if (!(await verifyPassword(password, found.password_hash))) {
      this.#recordFailure(id);
      throw wrongCredentials();
    }
    if (found.disabled === 1) throw new WfError('WF_ERR_AUTH', `account "${id}" is disabled`);
    if (found.failed_logins > 0 || found.locked_until !== null) {
      this.#db.prepare('UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(id);
    }
    return this.#require(id);
  }

  #recordFailure(id: string): void {
    this.#write(() => {
      const now = this.#clock();
      this.#db.prepare('UPDATE staff SET failed_logins = failed_logins + 1 WHERE id = ?').run(id);
      const row = this.#byId.get(id);
      if (row === undefined || row.failed_logins < this.#maxFailed) return;
      const before = toRecord(row);
      // The count starts again after the lockout, so each further run of failures locks again.
      this.#db.prepare('UPDATE staff SET failed_logins = 0, locked_until = ? WHERE id = ?').run(toIso(now + this.#lockoutMs), id);
      this.#audit(SYSTEM_ACTOR, 'staff-locked', id, before, this.#require(id));
    });
  }

  #endSessions(id: string): void {
    this.#db.prepare('DELETE FROM admin_sessions WHERE staff_id = ?').run(id);
  }

  #assertMemberFree(memberId: string): void {
    if (this.#db.prepare('SELECT 1 FROM members WHERE id = ?').get(memberId) === undefined) {
      throw new WfError('WF_ERR_NOT_FOUND', `member "${memberId}" does not exist`);
    }
    const owner = this.#db.prepare<[string], { id: string }>('SELECT id FROM staff WHERE member_id = ?').get(memberId);
    if (owner !== undefined) throw new WfError('WF_ERR_CONFLICT', `member "${memberId}" is already linked to staff account "${owner.id}"`);
  }

  #require(id: string): StaffRecord {
    const row = this.#byId.get(id);
    if (row === undefined) throw new WfError('WF_ERR_NOT_FOUND', `staff account "${id}" does not exist (see "wardgate users list")`);
    return toRecord(row);
  }

  #audit(actor: string, action: AuditAction, id: string, before: StaffRecord | null, after: StaffRecord | null): void {
    appendAuditEvent(this.#db, {
      at: this.#clock(),
      actor,
      action,
      subject: staffActor(id),
      before: before === null ? null : staffToJson(before),
      after: after === null ? null : staffToJson(after),
    });
  }

  #write<T>(body: () => T): T {
    return this.#db.transaction(body).immediate();
  }
}

/** A staff account as JSON (CLI --json, audit before/after). There is no hash to leave out: records never carry one. */
export function staffToJson(record: StaffRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    groupId: record.groupId,
    memberId: record.memberId,
    email: record.email,
    disabled: record.disabled,
    lockedUntil: toIsoOrNull(record.lockedUntil),
    updatedAt: toIso(record.updatedAt),
  };
}

export function toStaffFacts(row: StaffRecord): StaffFacts {
  return { id: row.id, role: row.role, groupId: row.groupId, memberId: row.memberId, disabled: row.disabled };
}

function toRecord(row: StaffRow): StaffRecord {
  return Object.freeze({
    id: row.id,
    name: row.name,
    role: row.role,
    groupId: row.group_id,
    memberId: row.member_id,
    disabled: row.disabled === 1,
    failedLogins: row.failed_logins,
    lockedUntil: fromIsoOrNull(row.locked_until),
    email: row.email,
    createdAt: fromIso(row.created_at),
    updatedAt: fromIso(row.updated_at),
  });
}

function wrongCredentials(): WfError {
  return new WfError('WF_ERR_AUTH', 'wrong user name or password');
}

function invalid(message: string): WfError {
  return new WfError('WF_ERR_INVALID_INPUT', message);
}

function checkId(id: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw invalid(
      `staff id "${String(id)}" is not valid: use 1 to 64 characters from a-z, 0-9, '.', '_' and '-', starting with a letter or digit (lower case only)`,
    );
  }
  return id;
}

function checkName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0) throw invalid('the staff name must not be empty');
  if ([...trimmed].length > MAX_NAME_LENGTH) throw invalid(`the staff name is too long: use at most ${MAX_NAME_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw invalid('the staff name must be one line of printable text');
  return trimmed;
}

function checkRole(role: string): StaffRole {
  if (!(STAFF_ROLES as readonly string[]).includes(role)) throw invalid(`"${role}" is not a role: use gsm, admin or auditor`);
  return role as StaffRole;
}
