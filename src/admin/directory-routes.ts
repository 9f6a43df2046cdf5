/**
 * The member directory in the admin web UI:
 *
 *   GET  /members                      members (a GSM: their group's), add form for administrators
 *   POST /members                      add a member                      (admin)
 *   GET  /members/:id                  one member's edit page            (admin)
 *   POST /members/:id                  name, group, email                (admin)
 *   POST /members/:id/password         set the proxy password            (admin)
 *   POST /members/:id/password/clear   clear it                          (admin)
 *   POST /members/:id/addresses        replace the client addresses      (admin)
 *   POST /members/:id/remove           remove the member                 (admin)
 *   GET  /groups                       groups (admin, auditor), add/rename/remove forms for administrators
 *   POST /groups, /groups/:id, /groups/:id/remove                        (admin)
 *
 * Every write goes through DirectoryService (the same checks as the JSON API,
 * and DirectoryStore as `wardgate members` uses it). Registered inside
 * web-routes.ts's signed-in scope: the session and the CSRF token are checked
 * before any handler here runs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DirectoryService } from './directory-service.ts';
import { requireRole } from './grant-service.ts';
import type { Html } from './html.ts';
import { toHttpProblem } from './http-errors.ts';
import {
  EMPTY_GROUP_FORM,
  EMPTY_MEMBER_FORM,
  groupsPage,
  memberPage,
  membersPage,
  type GroupFormValues,
  type MemberFormValues,
} from './pages/directory-pages.ts';
import type { Message, PageContext } from './pages/layout.ts';
import { fieldsOf, optionalText, requiredText, type Fields } from './request-input.ts';
import type { StaffUiDeps } from './staff-auth.ts';

export interface DirectoryRouteDeps {
  readonly deps: StaffUiDeps;
  readonly ctxOf: (request: FastifyRequest) => PageContext;
  readonly sendHtml: (reply: FastifyReply, status: number, body: Html) => FastifyReply;
}

/** Fixed confirmations after a POST-redirect-GET; the query names one, never carries text. */
const DONE: Readonly<Record<string, string>> = {
  'member-added': 'Member added. The proxy knows them within a second.',
  'member-saved': 'Member details saved.',
  'member-password': 'Proxy password set. It works within a second; the old one no longer does.',
  'member-password-cleared': 'Proxy password cleared. The member can now browse only from a registered address.',
  'member-addresses': 'Client addresses saved. The proxy uses them within a second.',
  'member-removed': 'Member removed.',
  'group-added': 'Group added.',
  'group-renamed': 'Group renamed.',
  'group-removed': 'Group removed.',
};

function doneMessage(request: FastifyRequest): Message | undefined {
  const done = (request.query as Record<string, unknown>).done;
  return typeof done === 'string' && DONE[done] !== undefined ? { kind: 'ok', text: DONE[done]! } : undefined;
}

/** The address list as typed: any mix of spaces, commas and new lines between addresses. */
export function splitAddresses(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((a) => a !== '');
}

function text(fields: Fields, name: string): string {
  const value = fields[name];
  return typeof value === 'string' ? value.slice(0, 10_000) : '';
}

function memberFormValues(fields: Fields): MemberFormValues {
  return { id: text(fields, 'id'), name: text(fields, 'name'), group: text(fields, 'group'), ips: text(fields, 'ips'), email: text(fields, 'email') };
}

const MANAGING_MEMBERS = 'managing members';
const MANAGING_GROUPS = 'managing groups';

export function registerDirectoryRoutes(scope: FastifyInstance, { deps, ctxOf, sendHtml }: DirectoryRouteDeps): void {
  const directory = deps.directory;
  const service = new DirectoryService(directory, deps.log);
  const staffOf = (request: FastifyRequest) => request.signedIn!.staff;
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  /** A refused change's status and message (anything worse is left to the error page). */
  const refusal = (error: unknown): { status: number; message: Message } => {
    const problem = toHttpProblem(error);
    if (problem.status >= 500) throw error;
    return { status: problem.status, message: { kind: 'error', text: problem.message } };
  };

  // ── members ──
  const visibleMembers = (request: FastifyRequest) => {
    const staff = staffOf(request);
    const all = directory.listMembers();
    return staff.role === 'gsm' ? all.filter((m) => m.groupId === staff.groupId) : all;
  };
  const showMembers = (request: FastifyRequest, reply: FastifyReply, status: number, message?: Message, form?: MemberFormValues) =>
    sendHtml(reply, status, membersPage(ctxOf(request), visibleMembers(request), directory.listGroups(), message, form ?? EMPTY_MEMBER_FORM));

  scope.get('/members', async (request, reply) => {
    requireRole(staffOf(request), ['gsm', 'admin', 'auditor'], 'the member list');
    return showMembers(request, reply, 200, doneMessage(request));
  });

  scope.post('/members', async (request, reply) => {
    requireRole(staffOf(request), ['admin'], MANAGING_MEMBERS);
    let form = EMPTY_MEMBER_FORM;
    try {
      const fields = fieldsOf(request.body);
      form = memberFormValues(fields);
      await service.addMember(staffOf(request), {
        id: requiredText(fields, 'id'),
        name: requiredText(fields, 'name'),
        groupId: requiredText(fields, 'group'),
        password: optionalText(fields, 'password'),
        ips: splitAddresses(optionalText(fields, 'ips')),
        email: optionalText(fields, 'email'),
      });
    } catch (error) {
      const { status, message } = refusal(error);
      return showMembers(request, reply, status, message, form);
    }
    return reply.redirect('/members?done=member-added', 303);
  });

  const showMember = (request: FastifyRequest, reply: FastifyReply, status: number, message?: Message) =>
    sendHtml(reply, status, memberPage(ctxOf(request), service.member(staffOf(request), idOf(request)), directory.listGroups(), message));

  scope.get('/members/:id', async (request, reply) => showMember(request, reply, 200, doneMessage(request)));

  /** Runs one change to an existing member; a refused one shows the member's page again with the reason. */
  const memberChange = (change: (request: FastifyRequest, fields: Fields) => Promise<string> | string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const id = idOf(request);
      service.member(staffOf(request), id); // the role, then 404 for a member who is not there, before anything is read
      let done: string;
      try {
        done = await change(request, fieldsOf(request.body));
      } catch (error) {
        const { status, message } = refusal(error);
        if (directory.getMember(id) === null) throw error;
        return showMember(request, reply, status, message);
      }
      return reply.redirect(done === 'member-removed' ? `/members?done=${done}` : `/members/${encodeURIComponent(id)}?done=${done}`, 303);
    };

  scope.post('/members/:id', memberChange((request, fields) => {
    service.updateMember(staffOf(request), idOf(request), {
      name: requiredText(fields, 'name'),
      groupId: requiredText(fields, 'group'),
      email: optionalText(fields, 'email') ?? null,
    });
    return 'member-saved';
  }));

  scope.post('/members/:id/password', memberChange(async (request, fields) => {
    await service.setPassword(staffOf(request), idOf(request), requiredText(fields, 'password'));
    return 'member-password';
  }));

  scope.post('/members/:id/password/clear', memberChange(async (request) => {
    await service.setPassword(staffOf(request), idOf(request), null);
    return 'member-password-cleared';
  }));

  scope.post('/members/:id/addresses', memberChange((request, fields) => {
    service.setAddresses(staffOf(request), idOf(request), splitAddresses(optionalText(fields, 'ips')));
    return 'member-addresses';
  }));

  scope.post('/members/:id/remove', memberChange((request) => {
    service.removeMember(staffOf(request), idOf(request));
    return 'member-removed';
  }));

  // ── groups ──
  const showGroups = (request: FastifyRequest, reply: FastifyReply, status: number, message?: Message, form?: GroupFormValues) => {
    const counts = new Map<string, number>();
    for (const m of directory.listMembers()) counts.set(m.groupId, (counts.get(m.groupId) ?? 0) + 1);
    const gsms = new Map<string, string[]>();
    for (const s of deps.staff.list()) if (s.role === 'gsm' && s.groupId !== null && !s.disabled) gsms.set(s.groupId, [...(gsms.get(s.groupId) ?? []), s.id]);
    return sendHtml(reply, status, groupsPage(ctxOf(request), directory.listGroups(), counts, gsms, message, form ?? EMPTY_GROUP_FORM));
  };

  scope.get('/groups', async (request, reply) => {
    requireRole(staffOf(request), ['admin', 'auditor'], 'the group list');
    return showGroups(request, reply, 200, doneMessage(request));
  });

  /** Runs one change to the groups; a refused one shows the groups page again with the reason. */
  const groupChange = (change: (request: FastifyRequest, fields: Fields) => string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      requireRole(staffOf(request), ['admin'], MANAGING_GROUPS);
      let form = EMPTY_GROUP_FORM;
      let done: string;
      try {
        const fields = fieldsOf(request.body);
        if (request.routeOptions.url === '/groups') form = { id: text(fields, 'id'), name: text(fields, 'name') };
        done = change(request, fields);
      } catch (error) {
        const { status, message } = refusal(error);
        return showGroups(request, reply, status, message, form);
      }
      return reply.redirect(`/groups?done=${done}`, 303);
    };

  scope.post('/groups', groupChange((request, fields) => {
    service.addGroup(staffOf(request), { id: requiredText(fields, 'id'), name: requiredText(fields, 'name') });
    return 'group-added';
  }));

  scope.post('/groups/:id', groupChange((request, fields) => {
    service.renameGroup(staffOf(request), idOf(request), requiredText(fields, 'name'));
    return 'group-renamed';
  }));

  scope.post('/groups/:id/remove', groupChange((request) => {
    service.removeGroup(staffOf(request), idOf(request));
    return 'group-removed';
  }));
}
