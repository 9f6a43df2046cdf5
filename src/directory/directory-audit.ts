/**
 * How changes to the member directory appear in the audit trail
 * (`audit_events`, src/grants/sqlite-audit.ts): their action names, their
 * subjects and the JSON views written as `before` and `after`.
 *
 *   member-add      member:<id>  null → the member
 *   member-edit     member:<id>  name, group and/or email changed
 *   member-passwd   member:<id>  password set, changed or cleared
 *   member-ips      member:<id>  client addresses replaced (or cleared)
 *   member-remove   member:<id>  the member (with their addresses) → null
 *   group-add       group:<id>   null → the group
 *   group-rename    group:<id>   name changed
 *   group-remove    group:<id>   the group → null
 *
 * A member's view says only whether they have a password (`hasPassword`):
 * neither a password nor its hash ever reaches the trail, which auditors
 * read and which can never be rewritten.
 */
import type { GroupRecord, MemberRecord } from './directory-snapshot.ts';

export const MEMBER_AUDIT_ACTIONS = ['member-add', 'member-edit', 'member-passwd', 'member-ips', 'member-remove'] as const;
export const GROUP_AUDIT_ACTIONS = ['group-add', 'group-rename', 'group-remove'] as const;

export type MemberAuditAction = (typeof MEMBER_AUDIT_ACTIONS)[number];
export type GroupAuditAction = (typeof GROUP_AUDIT_ACTIONS)[number];
export type DirectoryAuditAction = MemberAuditAction | GroupAuditAction;

/** A member's JSON view in the trail: everything the directory holds about them except the hash. */
export interface MemberAuditJson {
  readonly id: string;
  readonly name: string;
  readonly groupId: string;
  readonly email: string | null;
  readonly hasPassword: boolean;
  readonly ips: readonly string[];
}

export function memberSubject(id: string): string {
  return `member:${id}`;
}

export function groupSubject(id: string): string {
  return `group:${id}`;
}

export function memberToAuditJson(member: MemberRecord): MemberAuditJson {
  return {
    id: member.id,
    name: member.name,
    groupId: member.groupId,
    email: member.email ?? null,
    hasPassword: member.passwordHash !== null,
    ips: [...member.ips],
  };
}

export function groupToAuditJson(group: GroupRecord): GroupRecord {
  return { id: group.id, name: group.name };
}

/**
 * What a `member-passwd` event did, in words. Its before/after differ at
 * most in `hasPassword`, so a new password replacing an old one would
 * otherwise read as no change at all.
 */
export function describePasswordChange(before: unknown, after: unknown): string {
  const had = hasPassword(before);
  const has = hasPassword(after);
  if (!has) return 'password cleared';
  return had ? 'password changed' : 'password set';
}

function hasPassword(view: unknown): boolean {
  return typeof view === 'object' && view !== null && (view as { hasPassword?: unknown }).hasPassword === true;
}
