/**
 * The member directory in the JSON API (docs/admin-api.md), with the same
 * rules as the web pages (DirectoryService):
 *
 *   GET  /api/v1/members                     gsm (own group), admin, auditor
 *   GET  /api/v1/members/:id                 gsm (own group), admin, auditor
 *   POST /api/v1/members                     {id, name, groupId, password?, ips?, email?}   admin → 201
 *   POST /api/v1/members/:id                 {name?, groupId?, email? (null clears)}        admin
 *   POST /api/v1/members/:id/password        {password: "…" | null}                        admin
 *   POST /api/v1/members/:id/addresses       {ips: ["…", …]} ([] clears)                   admin
 *   POST /api/v1/members/:id/remove                                                         admin
 *   GET  /api/v1/groups                      admin, auditor
 *   POST /api/v1/groups                      {id, name}                                     admin → 201
 *   POST /api/v1/groups/:id                  {name}                                         admin
 *   POST /api/v1/groups/:id/remove                                                          admin
 *
 * A member is shown with `hasPassword`, never a hash. Registered inside
 * api-routes.ts's scope: the bearer token is checked before any handler here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MemberRecord } from '../directory/directory-snapshot.ts';
import { WfError } from '../errors.ts';
import type { StaffRecord } from '../grants/staff-store.ts';
import { DirectoryService } from './directory-service.ts';
import { requireRole } from './grant-service.ts';
import { fieldsOf, optionalText, requiredText, type Fields } from './request-input.ts';
import type { StaffUiDeps } from './staff-auth.ts';

export function memberToJson(member: MemberRecord): Record<string, unknown> {
  return { id: member.id, name: member.name, groupId: member.groupId, hasPassword: member.passwordHash !== null, ips: member.ips, email: member.email ?? null };
}

/** A list of addresses: an array of strings (absent: none). */
function addressList(fields: Fields, name: string): string[] {
  const value = fields[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string') || value.length > 1000) {
    throw new WfError('WF_ERR_INVALID_INPUT', `${name} must be an array of at most 1000 address strings, such as ["192.0.2.10"]`);
  }
  return value as string[];
}

/** A field that may be set, cleared with null (or ""), or left out. */
function settable(fields: Fields, name: string): string | null | undefined {
  if (!(name in fields)) return undefined;
  return optionalText(fields, name) ?? null;
}

export function registerDirectoryApi(api: FastifyInstance, deps: StaffUiDeps, staffOf: (request: FastifyRequest) => StaffRecord): void {
  const service = new DirectoryService(deps.directory, deps.log);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  /** A GSM reads only their own group's members; a member of another group is refused like a grant of one. */
  const readable = (staff: StaffRecord, member: MemberRecord) => {
    requireRole(staff, ['gsm', 'admin', 'auditor'], 'the member list');
    if (staff.role === 'gsm' && member.groupId !== staff.groupId) {
      throw new WfError('WF_ERR_FORBIDDEN', `member "${member.id}" is not in your group (${staff.groupId})`);
    }
  };

  api.get('/members', async (request) => {
    const staff = staffOf(request);
    requireRole(staff, ['gsm', 'admin', 'auditor'], 'the member list');
    const all = deps.directory.listMembers();
    const visible = staff.role === 'gsm' ? all.filter((m) => m.groupId === staff.groupId) : all;
    return { members: visible.map(memberToJson) };
  });

  api.get('/members/:id', async (request) => {
    const staff = staffOf(request);
    requireRole(staff, ['gsm', 'admin', 'auditor'], 'the member list');
    const member = deps.directory.getMember(idOf(request));
    if (member === null) throw new WfError('WF_ERR_NOT_FOUND', `member "${idOf(request)}" does not exist`);
    readable(staff, member);
    return { member: memberToJson(member) };
  });

  api.post('/members', async (request, reply) => {
    const staff = staffOf(request);
    requireRole(staff, ['admin'], 'managing members');
    const fields = fieldsOf(request.body);
    const member = await service.addMember(staff, {
      id: requiredText(fields, 'id'),
      name: requiredText(fields, 'name'),
      groupId: requiredText(fields, 'groupId'),
      password: optionalText(fields, 'password'),
      ips: addressList(fields, 'ips'),
      email: optionalText(fields, 'email'),
    });
    return reply.code(201).header('location', `/api/v1/members/${encodeURIComponent(member.id)}`).send({ member: memberToJson(member) });
  });

  api.post('/members/:id', async (request) => {
    const staff = staffOf(request);
    requireRole(staff, ['admin'], 'managing members');
    const fields = fieldsOf(request.body);
    const member = service.updateMember(staff, idOf(request), {
      name: optionalText(fields, 'name'),
      groupId: optionalText(fields, 'groupId'),
      email: settable(fields, 'email'),
    });
    return { member: memberToJson(member) };
  });

  api.post('/members/:id/password', async (request) => {
    const staff = staffOf(request);
    requireRole(staff, ['admin'], 'managing members');
    const fields = fieldsOf(request.body);
    const password = fields.password;
    if (password !== null && typeof password !== 'string') {
      throw new WfError('WF_ERR_INVALID_INPUT', 'password is required: the new password as a string, or null to clear it');
    }
    return { member: memberToJson(await service.setPassword(staff, idOf(request), password)) };
  });

  api.post('/members/:id/addresses', async (request) => {
    const staff = staffOf(request);
    requireRole(staff, ['admin'], 'managing members');
    const fields = fieldsOf(request.body);
    if (!Array.isArray(fields.ips)) throw new WfError('WF_ERR_INVALID_INPUT', 'ips is required: an array of addresses, or [] to clear them');
    return { member: memberToJson(service.setAddresses(staff, idOf(request), addressList(fields, 'ips'))) };
  });

  api.post('/members/:id/remove', async (request) => {
    service.removeMember(staffOf(request), idOf(request));
    return { removed: idOf(request) };
  });

  api.get('/groups', async (request) => {
    requireRole(staffOf(request), ['admin', 'auditor'], 'the group list');
    const counts = new Map<string, number>();
    for (const m of deps.directory.listMembers()) counts.set(m.groupId, (counts.get(m.groupId) ?? 0) + 1);
    return { groups: deps.directory.listGroups().map((g) => ({ id: g.id, name: g.name, members: counts.get(g.id) ?? 0 })) };
  });

  api.post('/groups', async (request, reply) => {
    const staff = staffOf(request);
    requireRole(staff, ['admin'], 'managing groups');
    const fields = fieldsOf(request.body);
    const group = service.addGroup(staff, { id: requiredText(fields, 'id'), name: requiredText(fields, 'name') });
    return reply.code(201).header('location', `/api/v1/groups`).send({ group });
  });

  api.post('/groups/:id', async (request) => {
    const staff = staffOf(request);
    requireRole(staff, ['admin'], 'managing groups');
    return { group: service.renameGroup(staff, idOf(request), requiredText(fieldsOf(request.body), 'name')) };
  });

  api.post('/groups/:id/remove', async (request) => {
    service.removeGroup(staffOf(request), idOf(request));
    return { removed: idOf(request) };
  });
}
