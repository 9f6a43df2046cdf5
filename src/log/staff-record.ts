/**
 * StaffActionRecord v1: one decision-log line per change to an exclusion
 * grant (request, approve, decline, revoke, expire, edit), written to the same
 * chained log as the decisions, so auditors see, in one tamper-evident
 * sequence, an approval and the requests it then allowed.
 *
 * The grants store's audit events stay the system of record (STYLE.md §11.8:
 * buffered logs can lose their last lines in a crash). This line is the
 * cross-reference: `event` is that audit event's id, `actor` its actor string
 * (src/grants/actor.ts: `member:<id>`, `staff:<id>`, `cli:<user>`, `system`).
 * The member's written reason and the decision note are deliberately not
 * copied: they can hold personal details, and the audit event keeps them.
 */
import type { GrantScope, GrantStatus } from '../policy/grants.ts';
import { DECISION_RECORD_VERSION } from './decision-record.ts';

export const STAFF_ACTIONS = ['request', 'approve', 'decline', 'revoke', 'expire', 'edit'] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];

/** Where the action came from: the admin web UI, the JSON API, the CLI, the member's self-service form through the proxy, or wardgate itself (expiry). */
export type ActionChannel = 'web' | 'api' | 'cli' | 'proxy' | 'system';

export interface StaffActionRecord {
  readonly v: typeof DECISION_RECORD_VERSION;
  readonly type: 'staff';
  /** Audit event id in the grants store (increasing in commit order). */
  readonly event: number;
  readonly action: StaffAction;
  /** Actor string as in the audit trail. */
  readonly actor: string;
  /** Staff role of the actor (`gsm`, `admin`) when a staff account acted; null otherwise. */
  readonly role: string | null;
  readonly via: ActionChannel;
  /** Address the action came from (web/API); null for the CLI and for wardgate itself. */
  readonly client: string | null;
  readonly grant: string;
  /** The member the grant is for, and their group at the time. */
  readonly member: string;
  readonly group: string | null;
  /** `category:<id>`, `domain:<name>` or `url:<prefix>`; a url: scope is reduced like `target` under the privacy setting. */
  readonly scope: string;
  /** Status before and after; `before` is null for `request`. */
  readonly before: GrantStatus | null;
  readonly after: GrantStatus;
  /** Expiry (epoch ms) after the action; null when there is none (pending, declined). */
  readonly expires: number | null;
}

export interface StaffActionInput {
  readonly event: number;
  readonly action: StaffAction;
  readonly actor: string;
  readonly role?: string | null;
  readonly via: ActionChannel;
  readonly client?: string | null;
  readonly grant: {
    readonly id: string;
    readonly memberId: string;
    readonly groupId: string | null;
    readonly scope: GrantScope;
    readonly expiresAt: number | null;
  };
  readonly before: GrantStatus | null;
  readonly after: GrantStatus;
}

/** Builds the line for `decisionLog.info(toStaffRecord(…))`. `time` is added by pino. */
export function toStaffRecord(input: StaffActionInput): StaffActionRecord {
  return {
    v: DECISION_RECORD_VERSION,
    type: 'staff',
    event: input.event,
    action: input.action,
    actor: input.actor,
    role: input.role ?? null,
    via: input.via,
    client: input.client ?? null,
    grant: input.grant.id,
    member: input.grant.memberId,
    group: input.grant.groupId,
    scope: formatScope(input.grant.scope),
    before: input.before,
    after: input.after,
    expires: input.grant.expiresAt,
  };
}

/** The same text as the grants work's formatScope, without depending on the grants module. */
function formatScope(scope: GrantScope): string {
  switch (scope.kind) {
    case 'category':
      return `category:${scope.category}`;
    case 'domain':
      return `domain:${scope.domain}`;
    case 'url':
      return `url:${scope.prefix}`;
  }
}
