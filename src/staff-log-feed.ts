/**
 * Staff-action lines for the decision log: follows the grants store's audit
 * trail (the system of record) and writes one `type: "staff"` line per grant
 * event (src/log/staff-record.ts), so auditors see approvals and the requests
 * they then allowed in one chained sequence. Only grant events: staff-account,
 * category-setting and member/group events stay in the audit trail alone
 * (docs/directory-audit.md says why).
 *
 * The serving process sees other processes' changes (the CLI) through the
 * store watcher and its own (the expiry ticker) when they happen; both end
 * here. It starts from the newest event at start-up: events committed while
 * no proxy was running stay in the audit trail (`wardgate audit events`) but
 * get no cross-reference line.
 */
import type { Logger } from 'pino';
import type { DirectorySnapshot } from './directory/directory-snapshot.ts';
import type { AuditEvent, GrantStore } from './grants/grant-store.ts';
import { parseActor } from './grants/actor.ts';
import { parseScope } from './grants/grant-rules.ts';
import type { StaffStore } from './grants/staff-store.ts';
import type { GrantStatus } from './policy/grants.ts';
import { STAFF_ACTIONS, toStaffRecord, type StaffAction } from './log/staff-record.ts';

const BATCH = 1_000;

interface GrantJson {
  readonly id: string;
  readonly memberId: string;
  readonly scope: string;
  readonly status: GrantStatus;
  readonly expiresAt: string | null;
}

export interface StaffLogFeed {
  /** Writes a line for every grant event committed since the last call. */
  catchUp(directory: DirectorySnapshot): Promise<void>;
}

export async function createStaffLogFeed(store: GrantStore, staff: StaffStore, decisionLog: Logger): Promise<StaffLogFeed> {
  const newest = await store.auditEvents({ limit: 1 });
  let lastId = newest.at(-1)?.id ?? 0;

  function write(event: AuditEvent, directory: DirectorySnapshot): void {
    if (!event.subject.startsWith('g_') || !(STAFF_ACTIONS as readonly string[]).includes(event.action)) return;
    const after = event.after as GrantJson | null;
    if (after === null) return;
    const before = event.before as GrantJson | null;
    const actor = parseActor(event.actor);
    decisionLog.info(
      toStaffRecord({
        event: event.id,
        action: event.action as StaffAction,
        actor: event.actor,
        role: actor.kind === 'staff' ? (staff.get(actor.id)?.role ?? null) : null,
        // Lines reach here from another process (the CLI), from wardgate itself (expiry), or from a
        // member's own request, which only the self-service form through the proxy makes.
        via: actor.kind === 'system' ? 'system' : actor.kind === 'member' ? 'proxy' : 'cli',
        grant: {
          id: after.id,
          memberId: after.memberId,
          groupId: directory.members.get(after.memberId)?.groupId ?? null,
          scope: parseScope(after.scope),
          expiresAt: after.expiresAt === null ? null : Date.parse(after.expiresAt),
        },
        before: before?.status ?? null,
        after: after.status,
      }),
    );
  }

  return {
    async catchUp(directory) {
      for (;;) {
        const events = await store.auditEvents({ afterId: lastId, limit: BATCH });
        for (const event of events) {
          write(event, directory);
          lastId = event.id;
        }
        if (events.length < BATCH) return;
      }
    },
  };
}
