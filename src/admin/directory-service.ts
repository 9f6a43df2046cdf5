/**
 * The administrators' changes to the member directory, shared by the web
 * pages (directory-routes.ts) and the JSON API (directory-api.ts) so both
 * check the same role and refuse the same input.
 *
 * Every change goes through DirectoryStore exactly as `wardgate members` and
 * `wardgate groups` do: the store validates ids, names, addresses (and
 * canonicalises them) and emails, and refuses what would break the
 * directory; passwords are checked with checkNewPassword and stored only as
 * hashPassword() hashes. The store writes each change's audit event with the
 * signed-in account (`staff:<id>`) as its actor; the application-log lines
 * here stay for operators following the server's log. The admin server has its own database connection,
 * so the proxy's store watcher sees each commit and serves it within a second.
 */
import type { Logger } from 'pino';
import type { GroupRecord, MemberRecord } from '../directory/directory-snapshot.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import { checkNewPassword, hashPassword } from '../directory/password.ts';
import { WfError, isWfError } from '../errors.ts';
import { staffActor } from '../grants/actor.ts';
import type { StaffRecord } from '../grants/staff-store.ts';
import { requireRole } from './grant-service.ts';

export type DirectoryWriter = Pick<
  DirectoryStore,
  'getMember' | 'addMember' | 'updateMember' | 'setPassword' | 'setIps' | 'removeMember' | 'addGroup' | 'renameGroup' | 'removeGroup'
>;

export interface NewMemberInput {
  readonly id: string;
  readonly name: string;
  readonly groupId: string;
  /** A new proxy password in plain text, hashed here; absent: none (known by address only). */
  readonly password?: string;
  readonly ips: readonly string[];
  readonly email?: string;
}

export interface MemberDetailsInput {
  readonly name?: string;
  readonly groupId?: string;
  /** null clears it. */
  readonly email?: string | null;
}

/**
 * A group named in the input that does not exist is a mistake in the input
 * (400), not a missing resource: the store's own message says which group.
 */
function asInputError(error: unknown): unknown {
  return isWfError(error, 'WF_ERR_NOT_FOUND') && error.message.startsWith('group "')
    ? new WfError('WF_ERR_INVALID_INPUT', error.message, { cause: error })
    : error;
}

function rethrowAsInput<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    throw asInputError(error);
  }
}

export class DirectoryService {
  readonly #store: DirectoryWriter;
  readonly #log: Logger;

  constructor(store: DirectoryWriter, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  #requireMember(id: string): MemberRecord {
    const member = this.#store.getMember(id);
    if (member === null) throw new WfError('WF_ERR_NOT_FOUND', `member "${id}" does not exist`);
    return member;
  }

  /** The member, for an administrator (404 when there is none). */
  member(staff: StaffRecord, id: string): MemberRecord {
    requireRole(staff, ['admin'], 'managing members');
    return this.#requireMember(id);
  }

  async addMember(staff: StaffRecord, input: NewMemberInput): Promise<MemberRecord> {
    requireRole(staff, ['admin'], 'managing members');
    if (input.password !== undefined) checkNewPassword(input.password);
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const member = rethrowAsInput(() =>
      this.#store.addMember(
        { id: input.id.trim(), name: input.name, groupId: input.groupId, passwordHash, ips: input.ips, email: input.email ?? null },
        staffActor(staff.id),
      ),
    );
    this.#log.info({ staff: staff.id, member: member.id, group: member.groupId }, 'admin: member added');
    return member;
  }

  updateMember(staff: StaffRecord, id: string, changes: MemberDetailsInput): MemberRecord {
    requireRole(staff, ['admin'], 'managing members');
    const member = rethrowAsInput(() => this.#store.updateMember(id, changes, staffActor(staff.id)));
    this.#log.info({ staff: staff.id, member: id, group: member.groupId }, 'admin: member details changed');
    return member;
  }

  /** Sets (a checked new password) or, with null, clears the member's proxy password. */
  async setPassword(staff: StaffRecord, id: string, password: string | null): Promise<MemberRecord> {
    requireRole(staff, ['admin'], 'managing members');
    this.#requireMember(id); // before any password is hashed for a member who is not there
    if (password !== null) checkNewPassword(password);
    this.#store.setPassword(id, password === null ? null : await hashPassword(password), staffActor(staff.id));
    this.#log.info({ staff: staff.id, member: id }, password === null ? 'admin: member password cleared' : 'admin: member password set');
    return this.#requireMember(id);
  }

  /** Replaces the member's client addresses (an empty list clears them). */
  setAddresses(staff: StaffRecord, id: string, ips: readonly string[]): MemberRecord {
    requireRole(staff, ['admin'], 'managing members');
    const stored = this.#store.setIps(id, ips, staffActor(staff.id));
    this.#log.info({ staff: staff.id, member: id, addresses: stored }, 'admin: member addresses set');
    return this.#requireMember(id);
  }

  removeMember(staff: StaffRecord, id: string): void {
    requireRole(staff, ['admin'], 'managing members');
    this.#store.removeMember(id, staffActor(staff.id));
    this.#log.info({ staff: staff.id, member: id }, 'admin: member removed');
  }

  addGroup(staff: StaffRecord, group: GroupRecord): GroupRecord {
    requireRole(staff, ['admin'], 'managing groups');
    const added = this.#store.addGroup({ id: group.id.trim(), name: group.name }, staffActor(staff.id));
    this.#log.info({ staff: staff.id, group: added.id }, 'admin: group added');
    return added;
  }

  renameGroup(staff: StaffRecord, id: string, name: string): GroupRecord {
    requireRole(staff, ['admin'], 'managing groups');
    const renamed = this.#store.renameGroup(id, name, staffActor(staff.id));
    this.#log.info({ staff: staff.id, group: id }, 'admin: group renamed');
    return renamed;
  }

  removeGroup(staff: StaffRecord, id: string): void {
    requireRole(staff, ['admin'], 'managing groups');
    this.#store.removeGroup(id, staffActor(staff.id));
    this.#log.info({ staff: staff.id, group: id }, 'admin: group removed');
  }
}
