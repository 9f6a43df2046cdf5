/**
 * GrantStore on the embedded SQLite store (tables from migration 2).
 *
 * Every state change is one IMMEDIATE transaction: it takes the write lock
 * first, then reads the grant, the member and the staff account as they are
 * now, runs grant-rules.ts on them, writes the change and appends its audit
 * event. Because the lock is held from the first read, two deciders (in this
 * process or another) are serialised and the second sees the first's result:
 * exactly one approval wins, the other gets WF_ERR_GRANT_STATE. The UPDATE
 * also names the status it expects, as a second guard.
 *
 * Commits through this connection do not move its own `data_version`
 * (store/change-watcher.ts): a process that writes grants through the same
 * connection it watches must rebuild its own snapshot after writing.
 *
 * A little over 300 lines: one class whose every method is one transaction
 * reads best whole; the rules themselves live in grant-rules.ts.
 */
import { randomBytes } from 'node:crypto';
import { isWfError, WfError } from '../errors.ts';
import type { Grant, GrantStatus } from '../policy/grants.ts';
import type { Database } from '../store/database.ts';
import { parseActor, SYSTEM_ACTOR, staffActor } from './actor.ts';
import {
  assertGrantable,
  assertMayDecide,
  assertMayRequest,
  assertTransition,
  canonicalScope,
  checkNote,
  checkReason,
  checkRequestedDays,
  resolveExpiry,
  scopeFrom,
  scopeValue,
  type GrantPolicy,
  type MemberFacts,
  type StaffFacts,
} from './grant-rules.ts';
import {
  grantToJson,
  toGrant,
  type ApproveInput,
  type AuditAction,
  type AuditEvent,
  type AuditFilter,
  type DecideInput,
  type GrantFilter,
  type GrantRecord,
  type GrantRequestInput,
  type GrantStore,
} from './grant-store.ts';
import { appendAuditEvent, queryAuditEvents } from './sqlite-audit.ts';
import { fromIso, fromIsoOrNull, toIso } from './time.ts';

export interface SqliteGrantStoreOptions {
  /** The current grant policy (rebuilt when the lists reload); read on request and approve only. */
  readonly policy: () => GrantPolicy;
  readonly clock?: () => number;
}

interface GrantRow {
  id: string;
  member_id: string;
  scope_kind: string;
  scope_value: string;
  reason: string;
  requested_days: number | null;
  requested_at: string;
  requested_by: string;
  status: GrantStatus;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  expires_at: string | null;
  revoked_by: string | null;
  revoked_at: string | null;
  revoke_note: string | null;
  updated_at: string;
}

interface StaffRow {
  id: string;
  role: StaffFacts['role'];
  group_id: string | null;
  member_id: string | null;
  disabled: number;
}

const GRANT_STATUSES: readonly GrantStatus[] = ['pending', 'approved', 'declined', 'revoked', 'expired'];

export class SqliteGrantStore implements GrantStore {
  readonly #db: Database;
  readonly #policy: () => GrantPolicy;
  readonly #clock: () => number;

  constructor(db: Database, options: SqliteGrantStoreOptions) {
    this.#db = db;
    this.#policy = options.policy;
    this.#clock = options.clock ?? Date.now;
  }

  async request(input: GrantRequestInput): Promise<GrantRecord> {
    const requestedBy = parseActor(input.requestedBy);
    const scope = canonicalScope(input.scope);
    const reason = checkReason(input.reason);
    const policy = this.#policy();
    const requestedDays = checkRequestedDays(input.requestedDays, policy);
    assertGrantable(scope, policy);
    return this.#write(() => {
      const now = this.#clock();
      const member = this.#member(input.memberId);
      assertMayRequest(requestedBy, member, requestedBy.kind === 'staff' ? this.#staff(requestedBy.id) : null);
      const pending = this.#db
        .prepare<[string, string, string], { id: string }>(
          `SELECT id FROM grants WHERE member_id = ? AND scope_kind = ? AND scope_value = ? AND status = 'pending'`,
        )
        .get(member.id, scope.kind, scopeValue(scope));
      if (pending !== undefined) {
        throw new WfError('WF_ERR_CONFLICT', `member "${member.id}" already has a pending request for this (${pending.id}): it awaits a decision`);
      }
      const id = this.#newId();
      this.#db
        .prepare(
          `INSERT INTO grants (id, member_id, scope_kind, scope_value, reason, requested_days, requested_at, requested_by, status, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
        )
        .run(id, member.id, scope.kind, scopeValue(scope), reason, requestedDays, toIso(now), input.requestedBy, toIso(now));
      const after = this.#require(id);
      this.#audit(now, input.requestedBy, 'request', null, after);
      return after;
    });
  }

  async approve(input: ApproveInput): Promise<GrantRecord> {
    const note = checkNote(input.note);
    return this.#write(() => {
      const now = this.#clock();
      const { grant, member, staff } = this.#decisionFacts(input);
      assertMayDecide('approve', staff, member, grant);
      assertTransition(grant, 'approved', now);
      // The lists may have changed since the request: what is non-grantable now is what counts.
      const policy = this.#policy();
      assertGrantable(grant.scope, policy);
      const expiresAt = resolveExpiry(now, { expiresAt: input.expiresAt, days: input.days }, grant.requestedDays, policy);
      this.#update(
        grant,
        'pending',
        `status = 'approved', decided_by = ?, decided_at = ?, decision_note = ?, expires_at = ?, updated_at = ?`,
        [staff.id, toIso(now), note, toIso(expiresAt), toIso(now)],
      );
      return this.#audited(now, staffActor(staff.id), 'approve', grant);
    });
  }

  async decline(input: DecideInput): Promise<GrantRecord> {
    const note = checkNote(input.note);
    return this.#write(() => {
      const now = this.#clock();
      const { grant, member, staff } = this.#decisionFacts(input);
      assertMayDecide('decline', staff, member, grant);
      assertTransition(grant, 'declined', now);
      this.#update(grant, 'pending', `status = 'declined', decided_by = ?, decided_at = ?, decision_note = ?, updated_at = ?`, [
        staff.id,
        toIso(now),
        note,
        toIso(now),
      ]);
      return this.#audited(now, staffActor(staff.id), 'decline', grant);
    });
  }

  async revoke(input: DecideInput): Promise<GrantRecord> {
    const note = checkNote(input.note);
    return this.#write(() => {
      const now = this.#clock();
      const { grant, member, staff } = this.#decisionFacts(input);
      assertMayDecide('revoke', staff, member, grant);
      assertTransition(grant, 'revoked', now);
      this.#update(grant, 'approved', `status = 'revoked', revoked_by = ?, revoked_at = ?, revoke_note = ?, updated_at = ?`, [
        staff.id,
        toIso(now),
        note,
        toIso(now),
      ]);
      return this.#audited(now, staffActor(staff.id), 'revoke', grant);
    });
  }

  async expireDue(now: number): Promise<GrantRecord[]> {
    return this.#write(() => {
      const due = this.#db
        .prepare<[string], GrantRow>(`SELECT * FROM grants WHERE status = 'approved' AND expires_at <= ? ORDER BY expires_at, id`)
        .all(toIso(now))
        .map(toRecord);
      return due.map((grant) => {
        assertTransition(grant, 'expired', now);
        this.#update(grant, 'approved', `status = 'expired', updated_at = ?`, [toIso(now)]);
        return this.#audited(now, SYSTEM_ACTOR, 'expire', grant);
      });
    });
  }

  async get(id: string): Promise<GrantRecord | null> {
    const row = this.#db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE id = ?').get(id);
    return row === undefined ? null : toRecord(row);
  }

  async list(filter: GrantFilter = {}): Promise<GrantRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.status !== undefined) {
      const statuses: readonly GrantStatus[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
      for (const s of statuses) {
        if (!GRANT_STATUSES.includes(s)) throw new WfError('WF_ERR_INVALID_INPUT', `"${s}" is not a grant status: use ${GRANT_STATUSES.join(', ')}`);
      }
      where.push(`g.status IN (${statuses.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...statuses);
    }
    if (filter.memberId !== undefined) {
      where.push('g.member_id = ?');
      params.push(filter.memberId);
    }
    if (filter.groupId !== undefined) {
      where.push('m.group_id = ?');
      params.push(filter.groupId);
    }
    if (filter.from !== undefined) {
      where.push('g.requested_at >= ?');
      params.push(toIso(filter.from));
    }
    if (filter.to !== undefined) {
      where.push('g.requested_at < ?');
      params.push(toIso(filter.to));
    }
    let sql = `SELECT g.* FROM grants g JOIN members m ON m.id = g.member_id`;
    if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY g.requested_at DESC, g.rowid DESC';
    if (filter.limit !== undefined) {
      if (!Number.isSafeInteger(filter.limit) || filter.limit < 1) {
        throw new WfError('WF_ERR_INVALID_INPUT', `limit must be a positive whole number, got ${String(filter.limit)}`);
      }
      sql += ' LIMIT ?';
      params.push(filter.limit);
    }
    return this.#db.prepare<(string | number)[], GrantRow>(sql).all(...params).map(toRecord);
  }

  async activeGrants(now: number): Promise<Map<string, Grant[]>> {
    const rows = this.#db
      .prepare<[string], GrantRow>(`SELECT * FROM grants WHERE status = 'approved' AND expires_at > ? ORDER BY member_id, id`)
      .all(toIso(now));
    const byMember = new Map<string, Grant[]>();
    for (const row of rows) {
      const grant = toGrant(toRecord(row));
      if (grant === null) continue;
      const list = byMember.get(grant.memberId);
      if (list === undefined) byMember.set(grant.memberId, [grant]);
      else list.push(grant);
    }
    return byMember;
  }

  async history(memberId: string): Promise<GrantRecord[]> {
    return this.list({ memberId });
  }

  async auditEvents(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return queryAuditEvents(this.#db, filter);
  }

  #decisionFacts(input: DecideInput): { grant: GrantRecord; member: MemberFacts; staff: StaffFacts } {
    const grant = this.#require(input.grantId);
    const staff = this.#staff(input.by);
    if (staff === null) throw new WfError('WF_ERR_NOT_FOUND', `staff account "${input.by}" does not exist (see "wardgate users list")`);
    return { grant, member: this.#member(grant.memberId), staff };
  }

  #member(id: string): MemberFacts {
    const row = this.#db.prepare<[string], { id: string; group_id: string }>('SELECT id, group_id FROM members WHERE id = ?').get(id);
    if (row === undefined) throw new WfError('WF_ERR_NOT_FOUND', `member "${id}" does not exist`);
    return { id: row.id, groupId: row.group_id };
  }

  #staff(id: string): StaffFacts | null {
    const row = this.#db
      .prepare<[string], StaffRow>('SELECT id, role, group_id, member_id, disabled FROM staff WHERE id = ?')
      .get(id);
    if (row === undefined) return null;
    return { id: row.id, role: row.role, groupId: row.group_id, memberId: row.member_id, disabled: row.disabled === 1 };
  }

  #require(id: string): GrantRecord {
    const row = this.#db.prepare<[string], GrantRow>('SELECT * FROM grants WHERE id = ?').get(id);
    if (row === undefined) throw new WfError('WF_ERR_NOT_FOUND', `grant "${id}" does not exist`);
    return toRecord(row);
  }

  #update(grant: GrantRecord, expected: GrantStatus, set: string, params: (string | null)[]): void {
    const result = this.#db.prepare(`UPDATE grants SET ${set} WHERE id = ? AND status = ?`).run(...params, grant.id, expected);
    if (result.changes !== 1) {
      // Unreachable while the write lock is held from the first read; kept so a future refactor cannot lose a race silently.
      throw new WfError('WF_ERR_GRANT_STATE', `grant ${grant.id} changed while it was being decided: look at it again`);
    }
  }

  /** Reads the grant back and appends its audit event (before → after). */
  #audited(at: number, actor: string, action: AuditAction, before: GrantRecord): GrantRecord {
    const after = this.#require(before.id);
    this.#audit(at, actor, action, before, after);
    return after;
  }

  #audit(at: number, actor: string, action: AuditAction, before: GrantRecord | null, after: GrantRecord): void {
    appendAuditEvent(this.#db, {
      at,
      actor,
      action,
      subject: after.id,
      before: before === null ? null : grantToJson(before),
      after: grantToJson(after),
    });
  }

  #newId(): string {
    const exists = this.#db.prepare('SELECT 1 FROM grants WHERE id = ?');
    for (;;) {
      const id = `g_${randomBytes(8).toString('hex')}`;
      if (exists.get(id) === undefined) return id;
    }
  }

  #write<T>(body: () => T): T {
    try {
      return this.#db.transaction(body).immediate();
    } catch (error) {
      if (isWfError(error)) throw error;
      throw new WfError('WF_ERR_STORE', `the grant store could not complete the change: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
  }
}

function toRecord(row: GrantRow): GrantRecord {
  return Object.freeze({
    id: row.id,
    memberId: row.member_id,
    scope: Object.freeze(scopeFrom(row.scope_kind, row.scope_value)),
    reason: row.reason,
    requestedDays: row.requested_days,
    requestedAt: fromIso(row.requested_at),
    requestedBy: row.requested_by,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: fromIsoOrNull(row.decided_at),
    decisionNote: row.decision_note,
    expiresAt: fromIsoOrNull(row.expires_at),
    revokedBy: row.revoked_by,
    revokedAt: fromIsoOrNull(row.revoked_at),
    revokeNote: row.revoke_note,
    updatedAt: fromIso(row.updated_at),
  });
}
