/**
 * GrantStore: the one interface to exclusion grants and their audit trail.
 * SQLite (sqlite-grant-store.ts) is the default; a PostgreSQL store will
 * implement the same interface and pass the same shared contract suite
 * (test/grants/grant-store.contract.ts). Methods are async so that a network
 * store fits; the SQLite one completes synchronously inside them.
 *
 * Contract every implementation keeps:
 * - Each state change runs the rules of grant-rules.ts against what is stored
 *   at that moment, and writes the change and its audit event (actor, before,
 *   after) in ONE transaction: a crash leaves both or neither.
 * - Two deciders racing on the same grant: exactly one wins; the other gets
 *   WF_ERR_GRANT_STATE.
 * - Audit events are append-only: the store itself refuses to change them.
 * - The GrantPolicy (known categories, what is non-grantable, expiry limits)
 *   is read when a request is made and again when it is approved (the lists
 *   may have changed in between); declining and revoking never need it, so
 *   they work even when the category lists cannot be loaded.
 */
import type { Grant, GrantScope, GrantStatus } from '../policy/grants.ts';
import { formatScope } from './grant-rules.ts';
import { toIso, toIsoOrNull } from './time.ts';

export interface GrantRecord {
  /** `g_` followed by 16 hex digits. */
  readonly id: string;
  readonly memberId: string;
  readonly scope: GrantScope;
  /** The member's written request. */
  readonly reason: string;
  /** How long the member asked for, in days, if they said. */
  readonly requestedDays: number | null;
  /** Epoch ms, like every instant here. */
  readonly requestedAt: number;
  /** Actor string (actor.ts): the member, or the staff/operator who entered it for them. */
  readonly requestedBy: string;
  readonly status: GrantStatus;
  /** Staff id of the GSM who approved or declined. */
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly decisionNote: string | null;
  /** Set on approval; the grant is not honoured at or after this instant. */
  readonly expiresAt: number | null;
  readonly revokedBy: string | null;
  readonly revokedAt: number | null;
  readonly revokeNote: string | null;
  readonly updatedAt: number;
}

export interface GrantRequestInput {
  readonly memberId: string;
  /** As typed; the store canonicalises it (canonicalScope). */
  readonly scope: GrantScope;
  readonly reason: string;
  readonly requestedDays?: number | null | undefined;
  /** Actor string: `member:<memberId>` for the member's own request, or staff/cli entering it. */
  readonly requestedBy: string;
}

export interface ApproveInput {
  readonly grantId: string;
  /** Staff id of the deciding GSM. */
  readonly by: string;
  /** Explicit expiry instant (epoch ms), or… */
  readonly expiresAt?: number | undefined;
  /** …days from now; neither: the requested days, else the default. */
  readonly days?: number | undefined;
  readonly note?: string | null | undefined;
}

export interface DecideInput {
  readonly grantId: string;
  readonly by: string;
  readonly note?: string | null | undefined;
}

export interface GrantFilter {
  readonly status?: GrantStatus | readonly GrantStatus[] | undefined;
  readonly memberId?: string | undefined;
  /** Members currently in this group. */
  readonly groupId?: string | undefined;
  /** Requested at or after (epoch ms). */
  readonly from?: number | undefined;
  /** Requested before (epoch ms). */
  readonly to?: number | undefined;
  /** At most this many, newest first. */
  readonly limit?: number | undefined;
}

/**
 * Every action the audit trail records, in the order filters list them:
 * grants, staff accounts and API tokens, category settings, then the member
 * directory (src/directory/directory-audit.ts says what those carry).
 */
export const AUDIT_ACTIONS = Object.freeze([
  'request',
  'approve',
  'decline',
  'revoke',
  'expire',
  'edit',
  'staff-add',
  'staff-remove',
  'staff-passwd',
  'staff-disable',
  'staff-enable',
  'staff-locked',
  'token-issue',
  'token-revoke',
  'category-setting',
  'member-add',
  'member-edit',
  'member-passwd',
  'member-ips',
  'member-remove',
  'group-add',
  'group-rename',
  'group-remove',
] as const);

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEvent {
  /** Increasing: the order events were committed in. */
  readonly id: number;
  readonly at: number;
  /** Actor string (actor.ts). */
  readonly actor: string;
  readonly action: AuditAction;
  /** A grant id (`g_…`), `staff:<id>`, `category:<id>`, `member:<id>` or `group:<id>`. */
  readonly subject: string;
  /** JSON view of the subject before and after (null for "did not exist"). Never holds a password hash. */
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditFilter {
  readonly subject?: string | undefined;
  readonly actor?: string | undefined;
  readonly action?: AuditAction | undefined;
  /** At or after (epoch ms). */
  readonly from?: number | undefined;
  /** Before (epoch ms). */
  readonly to?: number | undefined;
  /** Only events committed after this event id; with a limit, the earliest `limit` of them (for following the trail). */
  readonly afterId?: number | undefined;
  /** At most this many, oldest first (the latest ones when there are more, unless afterId is given). */
  readonly limit?: number | undefined;
}

export interface GrantStore {
  /** A member's written request (pending). Unknown member: WF_ERR_NOT_FOUND. */
  request(input: GrantRequestInput): Promise<GrantRecord>;
  approve(input: ApproveInput): Promise<GrantRecord>;
  decline(input: DecideInput): Promise<GrantRecord>;
  revoke(input: DecideInput): Promise<GrantRecord>;
  /** Marks approved grants whose expiry is at or before `now` as expired (actor `system`); returns them. */
  expireDue(now: number): Promise<GrantRecord[]>;
  get(id: string): Promise<GrantRecord | null>;
  /** Newest request first. */
  list(filter?: GrantFilter): Promise<GrantRecord[]>;
  /** Approved grants not expired at `now`, by member id (see active-grants.ts for the snapshot's frozen form). */
  activeGrants(now: number): Promise<Map<string, Grant[]>>;
  /** Every grant of one member, newest request first. */
  history(memberId: string): Promise<GrantRecord[]>;
  /** Oldest first. */
  auditEvents(filter?: AuditFilter): Promise<AuditEvent[]>;
}

/** The policy-core view of a grant record (what decide() takes); null while it has no expiry. */
export function toGrant(record: GrantRecord): Grant | null {
  if (record.expiresAt === null) return null;
  return Object.freeze({ id: record.id, memberId: record.memberId, scope: record.scope, status: record.status, expiresAt: record.expiresAt });
}

/** A grant as JSON for people and scripts (CLI --json, audit before/after): instants as ISO-8601 UTC. */
export function grantToJson(record: GrantRecord): Record<string, unknown> {
  return {
    id: record.id,
    memberId: record.memberId,
    scope: formatScope(record.scope),
    reason: record.reason,
    requestedDays: record.requestedDays,
    requestedAt: toIso(record.requestedAt),
    requestedBy: record.requestedBy,
    status: record.status,
    decidedBy: record.decidedBy,
    decidedAt: toIsoOrNull(record.decidedAt),
    decisionNote: record.decisionNote,
    expiresAt: toIsoOrNull(record.expiresAt),
    revokedBy: record.revokedBy,
    revokedAt: toIsoOrNull(record.revokedAt),
    revokeNote: record.revokeNote,
    updatedAt: toIso(record.updatedAt),
  };
}
