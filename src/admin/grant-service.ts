/**
 * What a signed-in staff account may see and do with grants, shared by the
 * web pages and the JSON API so both follow exactly the same code path.
 *
 * The grant rules themselves (other group, self-decision, non-grantable,
 * expiry limits, transitions) live in src/grants/grant-rules.ts and are
 * enforced by the GrantStore on every change; this layer adds only what
 * the store does not decide: who may *read* what.
 *
 * - gsm: the grants, requests and members of their own group only; a grant
 *   of another group's member is WF_ERR_FORBIDDEN (403), not hidden as 404,
 *   so a mistyped link says what is wrong.
 * - admin, auditor: every grant. The audit trail: admin and auditor (a GSM
 *   sees the trail of each grant they may see, on its page).
 * - Every call takes the account as it is now (StaffRecord re-read per
 *   request by the caller): a disabled account is refused here too.
 */
import { memberSubject } from '../directory/directory-audit.ts';
import { WfError } from '../errors.ts';
import { staffActor } from '../grants/actor.ts';
import { parseScope } from '../grants/grant-rules.ts';
import { AUDIT_ACTIONS, type AuditEvent, type AuditFilter, type GrantFilter, type GrantRecord, type GrantStore } from '../grants/grant-store.ts';
import type { StaffRecord } from '../grants/staff-store.ts';
import type { GrantStatus } from '../policy/grants.ts';

export const GRANT_STATUSES: readonly GrantStatus[] = ['pending', 'approved', 'declined', 'revoked', 'expired'];
export { AUDIT_ACTIONS };
/** Most rows a list page or API call returns. */
export const MAX_LIST = 500;

/** Member lookups the service needs (DirectoryStore on the admin connection). */
export interface MemberDirectory {
  getMember(id: string): { readonly id: string; readonly name: string; readonly groupId: string } | null;
}

/** A grant list query from the UI or API: GrantFilter with one status at most. */
export type GrantQuery = Omit<GrantFilter, 'status'> & { readonly status?: GrantStatus | undefined };

/** An audit query from the UI or API: AuditFilter's fields, with the member the events are about. */
export type AuditQuery = Pick<AuditFilter, 'actor' | 'action' | 'from' | 'to' | 'limit'> & { readonly memberId?: string | undefined };

export interface NewRequest {
  readonly memberId: string;
  /** `category:ID`, `domain:NAME` or `url:HOST/PATH`. */
  readonly scope: string;
  readonly reason: string;
  readonly days?: number | undefined;
}

export interface ApproveChoice {
  readonly days?: number | undefined;
  readonly expiresAt?: number | undefined;
  readonly note?: string | undefined;
}

export interface QueueEntry {
  readonly grant: GrantRecord;
  /** The member's other grants and requests, newest first. */
  readonly history: readonly GrantRecord[];
}

function forbidden(message: string): WfError {
  return new WfError('WF_ERR_FORBIDDEN', message);
}

/** Throws unless the account is enabled and has one of `roles`. */
export function requireRole(staff: StaffRecord, roles: readonly StaffRecord['role'][], what: string): void {
  if (staff.disabled) throw forbidden(`staff account "${staff.id}" is disabled`);
  if (!roles.includes(staff.role)) throw forbidden(`${what} is for ${roles.join(' or ')} accounts; "${staff.id}" is ${staff.role === 'admin' ? 'an' : 'a'} ${staff.role}`);
}

export class GrantService {
  readonly #grants: GrantStore;
  readonly #members: MemberDirectory;
  readonly #changed: () => void;

  /** `changed` runs after every committed change (e.g. to refresh the proxy at once). */
  constructor(grants: GrantStore, members: MemberDirectory, changed: () => void = () => {}) {
    this.#grants = grants;
    this.#members = members;
    this.#changed = changed;
  }

  async list(staff: StaffRecord, query: GrantQuery = {}): Promise<GrantRecord[]> {
    requireRole(staff, ['gsm', 'admin', 'auditor'], 'the grant list');
    let groupId = query.groupId;
    if (staff.role === 'gsm') {
      if (groupId !== undefined && groupId !== staff.groupId) throw this.#otherGroup(staff, `group "${groupId}"`);
      groupId = staff.groupId!;
    }
    return this.#grants.list({ ...query, groupId, limit: clampLimit(query.limit) });
  }

  async get(staff: StaffRecord, id: string): Promise<GrantRecord> {
    requireRole(staff, ['gsm', 'admin', 'auditor'], 'a grant');
    const grant = await this.#grants.get(id);
    if (grant === null) throw new WfError('WF_ERR_NOT_FOUND', `grant "${id}" does not exist`);
    this.#assertMaySee(staff, grant.memberId);
    return grant;
  }

  /** Pending requests (the GSM's group, or all for admin/auditor), oldest first, each with the member's history. */
  async queue(staff: StaffRecord): Promise<QueueEntry[]> {
    const pending = (await this.list(staff, { status: 'pending', limit: MAX_LIST })).reverse();
    const histories = new Map<string, GrantRecord[]>();
    for (const grant of pending) {
      if (!histories.has(grant.memberId)) histories.set(grant.memberId, await this.#grants.history(grant.memberId));
    }
    return pending.map((grant) => ({ grant, history: histories.get(grant.memberId)!.filter((g) => g.id !== grant.id) }));
  }

  async history(staff: StaffRecord, memberId: string): Promise<GrantRecord[]> {
    this.#assertMaySee(staff, memberId);
    return this.#grants.history(memberId);
  }

  /** A written request entered by staff for a member (the store checks who may). */
  async request(staff: StaffRecord, input: NewRequest): Promise<GrantRecord> {
    requireRole(staff, ['gsm', 'admin'], 'entering a request');
    const scope = parseScope(String(input.scope ?? ''));
    const grant = await this.#grants.request({ memberId: input.memberId, scope, reason: input.reason, requestedDays: input.days ?? null, requestedBy: staffActor(staff.id) });
    this.#changed();
    return grant;
  }

  async approve(staff: StaffRecord, id: string, choice: ApproveChoice): Promise<GrantRecord> {
    if (choice.days !== undefined && choice.expiresAt !== undefined) {
      throw new WfError('WF_ERR_INVALID_INPUT', 'give the expiry as a number of days or as a date, not both');
    }
    await this.#visible(staff, id);
    const grant = await this.#grants.approve({ grantId: id, by: staff.id, days: choice.days, expiresAt: choice.expiresAt, note: emptyToNull(choice.note) });
    this.#changed();
    return grant;
  }

  async decline(staff: StaffRecord, id: string, note: string | undefined): Promise<GrantRecord> {
    await this.#visible(staff, id);
    const grant = await this.#grants.decline({ grantId: id, by: staff.id, note: emptyToNull(note) });
    this.#changed();
    return grant;
  }

  async revoke(staff: StaffRecord, id: string, note: string | undefined): Promise<GrantRecord> {
    await this.#visible(staff, id);
    const grant = await this.#grants.revoke({ grantId: id, by: staff.id, note: emptyToNull(note) });
    this.#changed();
    return grant;
  }

  /** The audit trail of one grant, for anyone who may see the grant. */
  async grantTrail(staff: StaffRecord, id: string): Promise<AuditEvent[]> {
    await this.get(staff, id);
    return this.#grants.auditEvents({ subject: id });
  }

  /** Audit events, filtered; admin and auditor only. Oldest first, the latest `limit`. */
  async audit(staff: StaffRecord, query: AuditQuery = {}): Promise<AuditEvent[]> {
    requireRole(staff, ['admin', 'auditor'], 'the audit trail');
    const limit = clampLimit(query.limit);
    const base = { actor: query.actor, action: query.action, from: query.from, to: query.to, limit };
    if (query.memberId === undefined) return this.#grants.auditEvents(base);
    // By member: the changes to the member themselves and the events of each of their grants, merged in commit order.
    const ids = [memberSubject(query.memberId), ...(await this.#grants.history(query.memberId)).map((g) => g.id)];
    const events = (await Promise.all(ids.map((subject) => this.#grants.auditEvents({ ...base, subject })))).flat();
    return events.sort((a, b) => a.id - b.id).slice(-limit);
  }

  /** Read access to the grant first, so another group's GSM hears "not your group" even for a finished grant. */
  async #visible(staff: StaffRecord, id: string): Promise<void> {
    if (staff.disabled) throw forbidden(`staff account "${staff.id}" is disabled`);
    if (staff.role === 'auditor') throw forbidden(`"${staff.id}" is an auditor: auditors have read-only access`);
    await this.get(staff, id);
  }

  #assertMaySee(staff: StaffRecord, memberId: string): void {
    requireRole(staff, ['gsm', 'admin', 'auditor'], 'a member\'s grants');
    if (staff.role !== 'gsm') return;
    const member = this.#members.getMember(memberId);
    if (member === null) throw new WfError('WF_ERR_NOT_FOUND', `member "${memberId}" does not exist`);
    if (member.groupId !== staff.groupId) throw this.#otherGroup(staff, `member "${memberId}" (group "${member.groupId}")`);
  }

  #otherGroup(staff: StaffRecord, what: string): WfError {
    return forbidden(`"${staff.id}" is the Group Support Manager of group "${staff.groupId}" and cannot see ${what}`);
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_LIST;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new WfError('WF_ERR_INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_LIST}, got ${String(limit)}`);
  return Math.min(limit, MAX_LIST);
}

function emptyToNull(note: string | undefined): string | null {
  return note === undefined || note.trim() === '' ? null : note;
}
