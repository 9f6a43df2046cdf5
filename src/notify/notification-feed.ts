/**
 * Follows the grants store's audit trail (like src/staff-log-feed.ts) and
 * queues the emails each grant event calls for:
 *
 *   request                    → the enabled Group Support Manager(s) of the member's group
 *   approve, decline, revoke   → the member
 *
 * Following the trail, not hooking the places that decide, means a decision
 * made anywhere (the CLI in another process, the admin web UI, the API, the
 * self-service form) notifies the same way, and never on a request path.
 * People without an email address are skipped. The cursor starts at the
 * newest event when serve starts: events committed while no proxy ran are
 * not emailed (the audit trail keeps them).
 */
import type { Logger } from 'pino';
import type { DirectorySnapshot } from '../directory/directory-snapshot.ts';
import { parseActor } from '../grants/actor.ts';
import { parseScope } from '../grants/grant-rules.ts';
import type { AuditEvent, GrantStore } from '../grants/grant-store.ts';
import type { StaffRecord } from '../grants/staff-store.ts';
import { decisionMail, requestSubmittedMail, type Recipient } from './messages.ts';
import type { Mail } from './mail.ts';

const BATCH = 1_000;

/** The staff lookups the feed needs (StaffStore has them). */
export interface StaffLookup {
  get(id: string): StaffRecord | null;
  gsmsOf(groupId: string): StaffRecord[];
}

export interface NotificationFeedDeps {
  readonly grants: GrantStore;
  readonly staff: StaffLookup;
  readonly enqueue: (mail: Mail) => void;
  readonly log: Logger;
  /** The member's requests page, for decision emails; null when self-service is off. */
  readonly requestsUrl: string | null;
}

export interface NotificationFeed {
  /** Queues the emails for every grant event committed since the last call. */
  catchUp(directory: DirectorySnapshot): Promise<void>;
}

/** The fields of a grant's audit JSON (grantToJson) that notifications use. */
interface GrantJson {
  readonly id: string;
  readonly memberId: string;
  readonly scope: string;
  readonly requestedDays: number | null;
  readonly requestedAt: string;
  readonly expiresAt: string | null;
}

type Notified = 'request' | 'approve' | 'decline' | 'revoke';
const NOTIFIED: readonly string[] = ['request', 'approve', 'decline', 'revoke'] satisfies Notified[];

export async function createNotificationFeed(deps: NotificationFeedDeps): Promise<NotificationFeed> {
  const newest = await deps.grants.auditEvents({ limit: 1 });
  let lastId = newest.at(-1)?.id ?? 0;

  function byWhom(actor: string): string {
    const parsed = parseActor(actor);
    if (parsed.kind === 'staff') {
      const staff = deps.staff.get(parsed.id);
      const name = staff?.name ?? parsed.id;
      return staff?.role === 'gsm' ? `your Group Support Manager, ${name}` : staff?.role === 'admin' ? `ICT (${name})` : name;
    }
    if (parsed.kind === 'cli') return 'ICT';
    if (parsed.kind === 'member') return 'you';
    return 'wardgate';
  }

  function mailFor(event: AuditEvent, directory: DirectorySnapshot): Mail | null {
    const grant = event.after as GrantJson | null;
    if (grant === null) return null;
    const member = directory.members.get(grant.memberId);
    if (member === undefined) return null;
    const scope = parseScope(grant.scope);
    const requestedAt = Date.parse(grant.requestedAt);
    if (event.action === 'request') {
      const gsms: Recipient[] = deps.staff
        .gsmsOf(member.groupId)
        // A GSM asking for themselves is not told of their own request (and may not decide it).
        .filter((s) => s.email !== null && s.memberId !== member.id)
        .map((s) => ({ id: s.id, email: s.email! }));
      if (gsms.length === 0) {
        deps.log.info({ grant: grant.id, group: member.groupId }, 'new request not emailed: no Group Support Manager of the group has an email address');
        return null;
      }
      const groupName = directory.groups.get(member.groupId)?.name ?? member.groupId;
      return requestSubmittedMail({ grantId: grant.id, scope, requestedDays: grant.requestedDays, requestedAt, member, groupName }, gsms);
    }
    if (member.email === undefined || member.email === null) return null;
    return decisionMail(
      {
        kind: event.action as Exclude<Notified, 'request'>,
        grantId: grant.id,
        scope,
        requestedAt,
        at: event.at,
        by: byWhom(event.actor),
        expiresAt: grant.expiresAt === null ? null : Date.parse(grant.expiresAt),
        member,
        requestsUrl: deps.requestsUrl,
      },
      { id: member.id, email: member.email },
    );
  }

  return {
    async catchUp(directory) {
      for (;;) {
        const events = await deps.grants.auditEvents({ afterId: lastId, limit: BATCH });
        for (const event of events) {
          lastId = event.id;
          if (!event.subject.startsWith('g_') || !NOTIFIED.includes(event.action)) continue;
          try {
            const mail = mailFor(event, directory);
            if (mail !== null) deps.enqueue(mail);
          } catch (error) {
            // One odd event must not stop the others' emails.
            deps.log.error({ err: error, event: event.id }, 'could not prepare the notification for an audit event');
          }
        }
        if (events.length < BATCH) return;
      }
    },
  };
}
