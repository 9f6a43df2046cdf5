/**
 * The member directory in the SQLite store: political groups, members (with
 * an optional password hash) and the client addresses registered to them.
 *
 * Invariants kept here, whoever calls (CLI, admin server), with the checks
 * of directory-input.ts:
 * - ids match ID_PATTERN; names are one line of 1–200 characters;
 * - every member belongs to an existing group, and a group with members
 *   cannot be removed;
 * - an address belongs to at most one member and is stored canonical
 *   (canonicalClientAddress), the same form the proxy looks up;
 * - only password hashes are stored, never passwords;
 * - every change writes its audit event (directory-audit.ts: action, actor,
 *   before/after, never a hash) in the transaction of the change, whichever
 *   entry point made it (CLI, admin UI, API); a refused change writes
 *   neither, and a change that changes nothing writes no event.
 * Each write runs in an IMMEDIATE transaction, so its checks, its change and
 * its event are one step even with another process writing the same file.
 * Write methods take the actor (src/grants/actor.ts) last; it defaults to
 * `system` only for seeding code (tests, benches), every entry point names
 * its own.
 */
import type { Statement } from 'better-sqlite3';
import { WfError } from '../errors.ts';
import { parseActor, SYSTEM_ACTOR } from '../grants/actor.ts';
import { appendAuditEvent } from '../grants/sqlite-audit.ts';
import type { Database } from '../store/database.ts';
import type { DirectorySnapshot, GroupRecord, MemberRecord } from './directory-snapshot.ts';
import {
  groupSubject,
  groupToAuditJson,
  memberSubject,
  memberToAuditJson,
  type DirectoryAuditAction,
  type GroupAuditAction,
  type MemberAuditAction,
} from './directory-audit.ts';
import { canonicalAddresses, checkHash, checkId, checkName } from './directory-input.ts';
import { checkEmail } from './email.ts';

// Where they were first defined; importers of the store keep finding them here.
export { canonicalClientAddress, ID_PATTERN, MAX_NAME_LENGTH } from './directory-input.ts';

/** The fields of a member that can be changed in place (absent: unchanged; email null: cleared). */
export interface MemberChanges {
  readonly name?: string;
  readonly groupId?: string;
  readonly email?: string | null;
}

export interface NewMember {
  readonly id: string;
  readonly name: string;
  readonly groupId: string;
  readonly passwordHash?: string | null;
  readonly ips?: readonly string[];
  readonly email?: string | null;
}

interface MemberRow {
  id: string;
  name: string;
  group_id: string;
  password_hash: string | null;
  email: string | null;
}

interface AddressRow {
  address: string;
  member_id: string;
}

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

export interface DirectoryStoreOptions {
  /** Epoch ms for audit events (default Date.now). */
  readonly clock?: () => number;
}

export class DirectoryStore {
  readonly #db: Database;
  readonly #clock: () => number;
  readonly #groupById: Statement<[string], GroupRecord>;
  readonly #memberById: Statement<[string], MemberRow>;
  readonly #addressesOf: Statement<[string], AddressRow>;
  readonly #ownerOf: Statement<[string], AddressRow>;

  constructor(db: Database, options: DirectoryStoreOptions = {}) {
    this.#db = db;
    this.#clock = options.clock ?? Date.now;
    this.#groupById = db.prepare('SELECT id, name FROM groups WHERE id = ?');
    this.#memberById = db.prepare('SELECT id, name, group_id, password_hash, email FROM members WHERE id = ?');
    this.#addressesOf = db.prepare('SELECT address, member_id FROM member_ips WHERE member_id = ? ORDER BY address');
    this.#ownerOf = db.prepare('SELECT address, member_id FROM member_ips WHERE address = ?');
  }

  addGroup(group: GroupRecord, actor: string = SYSTEM_ACTOR): GroupRecord {
    const record = Object.freeze({ id: checkId('group', group.id), name: checkName('group', group.name) });
    this.#write(() => {
      if (this.#groupById.get(record.id) !== undefined) {
        throw new WfError('WF_ERR_CONFLICT', `group "${record.id}" already exists`);
      }
      this.#db.prepare('INSERT INTO groups (id, name) VALUES (?, ?)').run(record.id, record.name);
      this.#auditGroup(actor, 'group-add', null, record);
    });
    return record;
  }

  /** Gives a group a new name; its id (which members and staff refer to) stays. The same name again: no change, no event. */
  renameGroup(id: string, name: string, actor: string = SYSTEM_ACTOR): GroupRecord {
    const record = Object.freeze({ id, name: checkName('group', name) });
    this.#write(() => {
      const before = this.#groupById.get(id);
      if (before === undefined) throw new WfError('WF_ERR_NOT_FOUND', `group "${id}" does not exist`);
      if (before.name === record.name) return;
      this.#db.prepare('UPDATE groups SET name = ? WHERE id = ?').run(record.name, id);
      this.#auditGroup(actor, 'group-rename', before, record);
    });
    return record;
  }

  listGroups(): GroupRecord[] {
    return this.#db.prepare<[], GroupRecord>('SELECT id, name FROM groups ORDER BY id').all();
  }

  removeGroup(id: string, actor: string = SYSTEM_ACTOR): void {
    this.#write(() => {
      const before = this.#requireGroup(id);
      const members = this.#db
        .prepare<[string], { id: string }>('SELECT id FROM members WHERE group_id = ? ORDER BY id')
        .all(id)
        .map((row) => row.id);
      if (members.length > 0) {
        const shown = members.slice(0, 5).join(', ') + (members.length > 5 ? ', …' : '');
        throw new WfError('WF_ERR_CONFLICT', `group "${id}" still has ${members.length} member(s) (${shown}): remove them first`);
      }
      const staff = this.#db.prepare<[string], { id: string }>('SELECT id FROM staff WHERE group_id = ? ORDER BY id').all(id);
      if (staff.length > 0) {
        throw new WfError(
          'WF_ERR_CONFLICT',
          `group "${id}" is still the group of staff account(s) ${staff.map((s) => s.id).join(', ')}: remove those accounts first`,
        );
      }
      this.#db.prepare('DELETE FROM groups WHERE id = ?').run(id);
      this.#auditGroup(actor, 'group-remove', before, null);
    });
  }

  addMember(member: NewMember, actor: string = SYSTEM_ACTOR): MemberRecord {
    const id = checkId('member', member.id);
    const name = checkName('member', member.name);
    const groupId = checkId('group', member.groupId);
    const passwordHash = checkHash(member.passwordHash ?? null);
    const ips = canonicalAddresses(member.ips ?? []);
    const email = checkEmail(member.email ?? null);
    const record = freezeMember({ id, name, groupId, passwordHash, ips, email });
    this.#write(() => {
      this.#requireGroup(groupId);
      if (this.#memberById.get(id) !== undefined) {
        throw new WfError('WF_ERR_CONFLICT', `member "${id}" already exists`);
      }
      this.#assertAddressesFree(id, ips);
      this.#db
        .prepare('INSERT INTO members (id, name, group_id, password_hash, email) VALUES (?, ?, ?, ?, ?)')
        .run(id, name, groupId, passwordHash, email);
      this.#insertAddresses(id, ips);
      this.#auditMember(actor, 'member-add', null, record);
    });
    return record;
  }

  listMembers(): MemberRecord[] {
    return [...this.snapshot().members.values()];
  }

  getMember(id: string): MemberRecord | null {
    return this.#db.transaction(() => this.#memberRecord(id))();
  }

  /**
   * Removes a member and their addresses. A member with grant history, or
   * linked to a staff account, is refused (WF_ERR_CONFLICT): the grants and
   * their audit trail are the council's record of who was allowed what, and
   * must keep naming the member.
   */
  removeMember(id: string, actor: string = SYSTEM_ACTOR): void {
    this.#write(() => {
      const before = this.#requireMember(id);
      const grants = this.#db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM grants WHERE member_id = ?').get(id)?.n ?? 0;
      if (grants > 0) {
        throw new WfError(
          'WF_ERR_CONFLICT',
          `member "${id}" has ${grants} exclusion grant(s) on record, which must stay with their audit trail: the member cannot be removed ` +
            `(to stop them browsing, clear their addresses with "wardgate members set-ips ${id} --clear" and change their password)`,
        );
      }
      const staff = this.#db.prepare<[string], { id: string }>('SELECT id FROM staff WHERE member_id = ?').get(id);
      if (staff !== undefined) {
        throw new WfError('WF_ERR_CONFLICT', `member "${id}" is linked to staff account "${staff.id}": remove that account first`);
      }
      this.#db.prepare('DELETE FROM members WHERE id = ?').run(id);
      this.#auditMember(actor, 'member-remove', before, null);
    });
  }

  /** Changes a member's name, group and/or email in one step; returns the member as stored. Nothing different: no write, no event. */
  updateMember(id: string, changes: MemberChanges, actor: string = SYSTEM_ACTOR): MemberRecord {
    const name = changes.name === undefined ? undefined : checkName('member', changes.name);
    const groupId = changes.groupId === undefined ? undefined : checkId('group', changes.groupId);
    const email = changes.email === undefined ? undefined : checkEmail(changes.email);
    return this.#write(() => {
      const before = this.#requireMember(id);
      if (groupId !== undefined) this.#requireGroup(groupId);
      const after = freezeMember({
        ...before,
        name: name ?? before.name,
        groupId: groupId ?? before.groupId,
        email: email === undefined ? (before.email ?? null) : email,
      });
      if (after.name === before.name && after.groupId === before.groupId && after.email === (before.email ?? null)) return before;
      this.#db
        .prepare(`UPDATE members SET name = ?, group_id = ?, email = ?, updated_at = ${NOW} WHERE id = ?`)
        .run(after.name, after.groupId, after.email, id);
      this.#auditMember(actor, 'member-edit', before, after);
      return after;
    });
  }

  /** Sets or (with null) clears a member's password hash. Clearing a password the member does not have: no change, no event. */
  setPassword(id: string, passwordHash: string | null, actor: string = SYSTEM_ACTOR): void {
    const hash = checkHash(passwordHash);
    this.#write(() => {
      const before = this.#requireMember(id);
      if (hash === null && before.passwordHash === null) return;
      this.#db.prepare(`UPDATE members SET password_hash = ?, updated_at = ${NOW} WHERE id = ?`).run(hash, id);
      this.#auditMember(actor, 'member-passwd', before, freezeMember({ ...before, passwordHash: hash }));
    });
  }

  /** Sets or (with null) clears the member's email address; returns it as stored. */
  setEmail(id: string, email: string | null, actor: string = SYSTEM_ACTOR): string | null {
    return this.updateMember(id, { email }, actor).email ?? null;
  }

  /** Replaces the member's registered addresses with `ips` (an empty list clears them). The same list again: no event. */
  setIps(id: string, ips: readonly string[], actor: string = SYSTEM_ACTOR): readonly string[] {
    const addresses = canonicalAddresses(ips);
    this.#write(() => {
      const before = this.#requireMember(id);
      if (sameList(before.ips, addresses)) return;
      this.#assertAddressesFree(id, addresses);
      this.#db.prepare('DELETE FROM member_ips WHERE member_id = ?').run(id);
      this.#insertAddresses(id, addresses);
      this.#db.prepare(`UPDATE members SET updated_at = ${NOW} WHERE id = ?`).run(id);
      this.#auditMember(actor, 'member-ips', before, freezeMember({ ...before, ips: addresses }));
    });
    return addresses;
  }

  /** The whole directory, read in one transaction so it is consistent. */
  snapshot(): DirectorySnapshot {
    return this.#db.transaction(() => {
      const groups = new Map(this.listGroups().map((g) => [g.id, Object.freeze(g)] as const));
      const rows = this.#db
        .prepare<[], MemberRow>('SELECT id, name, group_id, password_hash, email FROM members ORDER BY id')
        .all();
      const addresses = this.#db
        .prepare<[], AddressRow>('SELECT address, member_id FROM member_ips ORDER BY address')
        .all();
      return buildSnapshot(groups, rows, addresses);
    })();
  }

  #requireGroup(id: string): GroupRecord {
    const group = this.#groupById.get(id);
    if (group === undefined) {
      throw new WfError('WF_ERR_NOT_FOUND', `group "${id}" does not exist: add it first with "wardgate groups add"`);
    }
    return group;
  }

  #memberRecord(id: string): MemberRecord | null {
    const row = this.#memberById.get(id);
    return row === undefined ? null : toRecord(row, this.#addressesOf.all(id).map((a) => a.address));
  }

  #requireMember(id: string): MemberRecord {
    const member = this.#memberRecord(id);
    if (member === null) throw memberNotFound(id);
    return member;
  }

  /** Runs a change as one IMMEDIATE transaction: its checks, its write and its audit event commit together or not at all. */
  #write<T>(change: () => T): T {
    return this.#db.transaction(change).immediate();
  }

  #auditMember(actor: string, action: MemberAuditAction, before: MemberRecord | null, after: MemberRecord | null): void {
    const subject = memberSubject((after ?? before)!.id);
    this.#audit(actor, action, subject, before === null ? null : memberToAuditJson(before), after === null ? null : memberToAuditJson(after));
  }

  #auditGroup(actor: string, action: GroupAuditAction, before: GroupRecord | null, after: GroupRecord | null): void {
    const subject = groupSubject((after ?? before)!.id);
    this.#audit(actor, action, subject, before === null ? null : groupToAuditJson(before), after === null ? null : groupToAuditJson(after));
  }

  #audit(actor: string, action: DirectoryAuditAction, subject: string, before: unknown, after: unknown): void {
    parseActor(actor); // a malformed actor is refused (and the change with it): the trail must say who
    appendAuditEvent(this.#db, { at: this.#clock(), actor, action, subject, before, after });
  }

  #assertAddressesFree(memberId: string, addresses: readonly string[]): void {
    for (const address of addresses) {
      const owner = this.#ownerOf.get(address);
      if (owner !== undefined && owner.member_id !== memberId) {
        throw new WfError(
          'WF_ERR_CONFLICT',
          `address ${address} is already registered to member "${owner.member_id}", so it cannot also be registered to "${memberId}"`,
        );
      }
    }
  }

  #insertAddresses(memberId: string, addresses: readonly string[]): void {
    const insert = this.#db.prepare('INSERT INTO member_ips (address, member_id) VALUES (?, ?)');
    for (const address of addresses) insert.run(address, memberId);
  }
}

function buildSnapshot(
  groups: Map<string, GroupRecord>,
  rows: readonly MemberRow[],
  addresses: readonly AddressRow[],
): DirectorySnapshot {
  const byIp = new Map<string, string>();
  const ipsOf = new Map<string, string[]>();
  for (const { address, member_id } of addresses) {
    byIp.set(address, member_id);
    const list = ipsOf.get(member_id);
    if (list === undefined) ipsOf.set(member_id, [address]);
    else list.push(address);
  }
  const members = new Map(rows.map((row) => [row.id, toRecord(row, ipsOf.get(row.id) ?? [])] as const));
  return Object.freeze({ members, byIp, groups });
}

function toRecord(row: MemberRow, ips: string[]): MemberRecord {
  return freezeMember({ id: row.id, name: row.name, groupId: row.group_id, passwordHash: row.password_hash, ips, email: row.email });
}

function freezeMember(member: MemberRecord): MemberRecord {
  return Object.freeze({ ...member, ips: Object.freeze([...member.ips]) });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function memberNotFound(id: string): WfError {
  return new WfError('WF_ERR_NOT_FOUND', `member "${id}" does not exist`);
}
