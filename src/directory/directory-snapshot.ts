/**
 * The member directory as the proxy sees it: an immutable value read from the
 * store in one transaction (DirectoryStore.snapshot) and swapped whole when
 * the store changes, so `identify` never awaits a database and never sees a
 * half-applied edit.
 */
import type { Member } from '../policy/policy-model.ts';

export interface GroupRecord {
  readonly id: string;
  readonly name: string;
}

export interface MemberRecord extends Member {
  /** scrypt hash (password.ts format), or null when the member has no password. */
  readonly passwordHash: string | null;
  /** Canonical client addresses (see canonicalClientAddress) registered to this member, sorted. */
  readonly ips: readonly string[];
  /** Where decisions on their requests are emailed (src/notify); null or absent: no email. */
  readonly email?: string | null;
}

export interface DirectorySnapshot {
  /** By member id. */
  readonly members: ReadonlyMap<string, MemberRecord>;
  /** Canonical client address → member id. */
  readonly byIp: ReadonlyMap<string, string>;
  /** By group id. */
  readonly groups: ReadonlyMap<string, GroupRecord>;
}
