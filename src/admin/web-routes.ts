/**
 * The admin web UI: server-rendered pages, plain HTML forms, no script.
 *
 *   GET  /login, POST /login, POST /logout
 *   GET  /                          → the account's start page
 *   GET  /queue                     pending requests (+ each member's history)
 *   GET  /grants[?status&member&group&from&to]   grants, filtered
 *   GET  /grants/:id                one grant and its audit trail
 *   POST /grants/:id/approve|decline|revoke
 *   GET  /requests/new, POST /requests            staff entering a member's request
 *   GET  /categories, /audit, /reports
 *   POST /categories/:id            category overrides (admin; category-settings-routes.ts)
 *   /members…, /groups…             the member directory (directory-routes.ts; writes: admin)
 *   GET  /staff, POST /staff, POST /staff/:id/disable|enable|password   (admin)
 *
 * Every route but sign-in needs a live session (else → /login); every POST
 * needs the session's CSRF token (else 403, nothing changed). Roles and
 * groups are checked by GrantService / requireRole on each request. A refused
 * step re-renders with the status (400/403/404/409) and the rule's message.
 */
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkNewPassword, hashPassword } from '../directory/password.ts';
import { WfError, isWfError } from '../errors.ts';
import { staffActor } from '../grants/actor.ts';
import type { StaffRole } from '../grants/grant-rules.ts';
import { CSRF_FIELD, tokensMatch } from './csrf.ts';
import { registerDirectoryRoutes } from './directory-routes.ts';
import { categoriesHandlers } from './category-settings-routes.ts';
import { requireRole } from './grant-service.ts';
import type { Html } from './html.ts';
import { toHttpProblem } from './http-errors.ts';
import { ADMIN_CSS } from './pages/admin-css.ts';
import { REPORT_CSS } from '../report/index.ts';
import { grantPage, grantsPage, newRequestPage, queuePage } from './pages/grant-pages.ts';
import type { Message, PageContext } from './pages/layout.ts';
import { auditPage, errorPage, loginPage, staffPage } from './pages/other-pages.ts';
import { reportDownloadHandler, reportPageHandler } from './report-routes.ts';
import { auditQueryFrom, fieldsOf, grantQueryFrom, optionalDate, optionalInt, optionalText, requiredText, type Fields } from './request-input.ts';
import { randomToken } from './session-store.ts';
import { cookieOptions, LOGIN_COOKIE, resolveSession, sessionCookieName, type SignedIn, type StaffUiDeps } from './staff-auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    signedIn: SignedIn | null;
  }
}

/** Fixed confirmations after a POST-redirect-GET; the query names one, never carries text. */
const DONE: Readonly<Record<string, string>> = {
  approved: 'Approved. The member can use it within a second.',
  declined: 'Declined.',
  revoked: 'Revoked. It stops working within a second.',
  requested: 'The request was entered and waits for the Group Support Manager.',
  'staff-added': 'Staff account added.',
  'staff-disabled': 'Staff account disabled; its sessions have ended.',
  'staff-enabled': 'Staff account enabled.',
  'staff-password': 'Password changed; the account\'s sessions have ended.',
  'category-saved': 'Category setting saved. The proxy applies it within a second.',
};

function sendHtml(reply: FastifyReply, status: number, body: Html): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.text);
}

function doneMessage(request: FastifyRequest): Message | undefined {
  const done = (request.query as Record<string, unknown>).done;
  return typeof done === 'string' && DONE[done] !== undefined ? { kind: 'ok', text: DONE[done]! } : undefined;
}

export async function registerWebRoutes(app: FastifyInstance, deps: StaffUiDeps): Promise<void> {
  const cookieName = sessionCookieName(deps.secure);
  const absoluteSeconds = Math.floor(deps.sessions.settings.absoluteMs / 1000);

  // The report's own styles ride along (scoped under .wg-report): the CSP allows no inline <style>.
  const css = `${ADMIN_CSS}\n${REPORT_CSS}`;
  app.get('/static/admin.css', async (_request, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(css));

  // Browsers ask for it on every page; there is none, and a 404 would clutter their consoles.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  const showLogin = (reply: FastifyReply, status: number, message?: Message, userId = '') => {
    const token = randomToken();
    reply.setCookie(LOGIN_COOKIE, token, cookieOptions(deps.secure, 3600));
    return sendHtml(reply, status, loginPage(token, message, userId));
  };

  app.get('/login', async (request, reply) => {
    if (resolveSession(deps, request.cookies[cookieName]) !== null) return reply.redirect('/', 303);
    return showLogin(reply, 200);
  });

  app.post('/login', async (request, reply) => {
    const wait = deps.limiter.retryAfterMs(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return showLogin(reply, 429, { kind: 'error', text: `Too many failed sign-ins from this address: try again in ${Math.ceil(wait / 60_000)} minute(s).` });
    }
    let fields: Fields;
    try {
      fields = fieldsOf(request.body);
    } catch {
      return showLogin(reply, 400, { kind: 'error', text: 'The sign-in form was not understood: try again.' });
    }
    const expected = request.cookies[LOGIN_COOKIE] ?? '';
    if (!tokensMatch(expected, fields[CSRF_FIELD])) {
      return showLogin(reply, 403, { kind: 'error', text: 'The sign-in form had expired or did not come from this site: try again.' });
    }
    const user = typeof fields.user === 'string' ? fields.user.trim() : '';
    const password = typeof fields.password === 'string' ? fields.password : '';
    try {
      if (user === '' || password === '') throw new WfError('WF_ERR_AUTH', 'give your user name and password');
      const staff = await deps.staff.authenticate(user, password);
      // A new session id at every sign-in: one planted before it is worth nothing.
      const previous = request.cookies[cookieName];
      if (previous !== undefined) deps.sessions.destroy(previous);
      const { id } = deps.sessions.create(staff.id, request.ip);
      reply.setCookie(cookieName, id, cookieOptions(deps.secure, absoluteSeconds));
      reply.clearCookie(LOGIN_COOKIE, cookieOptions(deps.secure));
      deps.log.info({ staff: staff.id, client: request.ip }, 'admin: staff signed in');
      return reply.redirect('/', 303);
    } catch (error) {
      if (!isWfError(error, 'WF_ERR_AUTH')) throw error;
      deps.limiter.recordFailure(request.ip);
      deps.log.warn({ user: user.slice(0, 64), client: request.ip, reason: error.message }, 'admin: sign-in refused');
      return showLogin(reply, 401, { kind: 'error', text: `Sign-in refused: ${error.message}.` }, user.slice(0, 64));
    }
  });

  // Everything below needs a session.
  await app.register(async (scope) => {
    scope.decorateRequest('signedIn', null);
    scope.addHook('onRequest', async (request, reply) => {
      const signedIn = resolveSession(deps, request.cookies[cookieName]);
      if (signedIn === null) {
        reply.clearCookie(cookieName, cookieOptions(deps.secure));
        return reply.redirect('/login', 303);
      }
      request.signedIn = signedIn;
    });
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const body = request.body;
      const sent = body !== null && typeof body === 'object' ? (body as Fields)[CSRF_FIELD] : undefined;
      if (!tokensMatch(request.signedIn!.session.csrfToken, sent)) {
        deps.log.warn({ staff: request.signedIn!.staff.id, url: request.url }, 'admin: form refused: missing or wrong CSRF token');
        return sendHtml(reply, 403, errorPage(ctxOf(request), 403, 'This form had expired or did not come from this site, so nothing was changed: reload the page and try again.'));
      }
    });
    scope.setErrorHandler(async (error, request, reply) => {
      const problem = toHttpProblem(error);
      if (problem.status >= 500) deps.log.error({ err: error, url: request.url }, 'admin: page failed');
      const ctx = request.signedIn === null ? null : ctxOf(request);
      return sendHtml(reply, problem.status, errorPage(ctx, problem.status, problem.message));
    });

    const ctxOf = (request: FastifyRequest): PageContext => ({ staff: request.signedIn!.staff, csrfToken: request.signedIn!.session.csrfToken, path: request.url });
    const now = deps.clock;
    const query = (request: FastifyRequest) => request.query as Fields;

    scope.post('/logout', async (request, reply) => {
      deps.sessions.destroy(request.signedIn!.sessionId);
      reply.clearCookie(cookieName, cookieOptions(deps.secure));
      return reply.redirect('/login', 303);
    });

    scope.get('/', async (_request, reply) => reply.redirect('/queue', 303));

    scope.get('/queue', async (request, reply) => {
      const ctx = ctxOf(request);
      return sendHtml(reply, 200, queuePage(ctx, await deps.grants.queue(ctx.staff), now(), doneMessage(request)));
    });

    scope.get('/grants', async (request, reply) => {
      const ctx = ctxOf(request);
      const q = grantQueryFrom(query(request));
      const title = q.status === 'approved' ? 'Approved grants' : 'Grants and history';
      return sendHtml(reply, 200, grantsPage(ctx, title, await deps.grants.list(ctx.staff, q), q, now(), doneMessage(request)));
    });

    const showGrant = async (request: FastifyRequest, reply: FastifyReply, id: string, status: number, message?: Message) => {
      const ctx = ctxOf(request);
      const grant = await deps.grants.get(ctx.staff, id);
      const [trail, history] = await Promise.all([deps.grants.grantTrail(ctx.staff, id), deps.grants.history(ctx.staff, grant.memberId)]);
      return sendHtml(reply, status, grantPage(ctx, grant, trail, history, now(), message));
    };

    scope.get('/grants/:id', async (request, reply) => showGrant(request, reply, (request.params as { id: string }).id, 200, doneMessage(request)));

    /** Runs a decision; on a refused step shows the grant (when visible) with the reason and the matching status. */
    const decide = (verb: 'approve' | 'decline' | 'revoke', done: string) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const { id } = request.params as { id: string };
        const staff = request.signedIn!.staff;
        try {
          const fields = fieldsOf(request.body);
          const note = optionalText(fields, 'note');
          if (verb === 'approve') {
            await deps.grants.approve(staff, id, { days: optionalInt(fields, 'days'), expiresAt: optionalDate(fields, 'expires', true), note });
          } else if (verb === 'decline') {
            await deps.grants.decline(staff, id, note);
          } else {
            await deps.grants.revoke(staff, id, note);
          }
        } catch (error) {
          const problem = toHttpProblem(error);
          if (problem.status >= 500) throw error;
          try {
            return await showGrant(request, reply, id, problem.status, { kind: 'error', text: problem.message });
          } catch {
            throw error; // the grant itself is not visible: the plain error page says why
          }
        }
        return reply.redirect(`/grants/${encodeURIComponent(id)}?done=${done}`, 303);
      };
    scope.post('/grants/:id/approve', decide('approve', 'approved'));
    scope.post('/grants/:id/decline', decide('decline', 'declined'));
    scope.post('/grants/:id/revoke', decide('revoke', 'revoked'));

    const visibleMembers = (request: FastifyRequest) => {
      const staff = request.signedIn!.staff;
      const all = deps.directory.listMembers();
      return staff.role === 'gsm' ? all.filter((m) => m.groupId === staff.groupId) : all;
    };

    scope.get('/requests/new', async (request, reply) => {
      const ctx = ctxOf(request);
      requireRole(ctx.staff, ['gsm', 'admin'], 'entering a request');
      return sendHtml(reply, 200, newRequestPage(ctx, visibleMembers(request)));
    });

    scope.post('/requests', async (request, reply) => {
      const ctx = ctxOf(request);
      try {
        const fields = fieldsOf(request.body);
        const kind = requiredText(fields, 'kind');
        const grant = await deps.grants.request(ctx.staff, {
          memberId: requiredText(fields, 'member'),
          scope: `${kind}:${requiredText(fields, 'value')}`,
          reason: requiredText(fields, 'reason'),
          days: optionalInt(fields, 'days'),
        });
        return reply.redirect(`/grants/${encodeURIComponent(grant.id)}?done=requested`, 303);
      } catch (error) {
        const problem = toHttpProblem(error);
        if (problem.status >= 500) throw error;
        requireRole(ctx.staff, ['gsm', 'admin'], 'entering a request');
        return sendHtml(reply, problem.status, newRequestPage(ctx, visibleMembers(request), { kind: 'error', text: problem.message }));
      }
    });

    registerDirectoryRoutes(scope, { deps, ctxOf, sendHtml });

    const categories = categoriesHandlers(deps, ctxOf, sendHtml);
    scope.get('/categories', async (request, reply) => categories.show(request, reply, 200, doneMessage(request)));
    scope.post('/categories/:id', categories.update);

    scope.get('/audit', async (request, reply) => {
      const ctx = ctxOf(request);
      const q = auditQueryFrom(query(request));
      return sendHtml(reply, 200, auditPage(ctx, await deps.grants.audit(ctx.staff, q), q));
    });

    const reportDeps = { reports: deps.reports, clock: now, ctxOf, sendHtml };
    scope.get('/reports', reportPageHandler(reportDeps));
    scope.get('/reports/download', reportDownloadHandler(reportDeps));

    // ── staff accounts (administrators) ──
    const showStaff = (request: FastifyRequest, reply: FastifyReply, status: number, message?: Message) =>
      sendHtml(reply, status, staffPage(ctxOf(request), deps.staff.list(), deps.directory.listGroups(), now(), message));

    /** Runs an administrator's change to staff accounts; a refused one re-renders the page with the reason. */
    const staffChange = (change: (request: FastifyRequest, fields: Fields, actor: string, reply: FastifyReply) => Promise<string>) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const staff = request.signedIn!.staff;
        requireRole(staff, ['admin'], 'managing staff accounts');
        try {
          const done = await change(request, fieldsOf(request.body), staffActor(staff.id), reply);
          return reply.redirect(`/staff?done=${done}`, 303);
        } catch (error) {
          const problem = toHttpProblem(error);
          if (problem.status >= 500) throw error;
          return showStaff(request, reply, problem.status, { kind: 'error', text: problem.message });
        }
      };

    scope.get('/staff', async (request, reply) => {
      requireRole(request.signedIn!.staff, ['admin'], 'managing staff accounts');
      return showStaff(request, reply, 200, doneMessage(request));
    });

    scope.post('/staff', staffChange(async (_request, fields, actor) => {
      const password = requiredText(fields, 'password');
      checkNewPassword(password);
      deps.staff.add(
        {
          id: requiredText(fields, 'id').trim(),
          name: optionalText(fields, 'name'),
          role: requiredText(fields, 'role') as StaffRole,
          groupId: optionalText(fields, 'group') ?? null,
          memberId: optionalText(fields, 'member') ?? null,
          passwordHash: await hashPassword(password),
        },
        actor,
      );
      return 'staff-added';
    }));

    const targetOf = (request: FastifyRequest) => (request.params as { id: string }).id;
    const notSelf = (request: FastifyRequest, what: string) => {
      if (targetOf(request) === request.signedIn!.staff.id) throw new WfError('WF_ERR_FORBIDDEN', `you cannot ${what} your own account here: ask another administrator, or use "wardgate users"`);
    };
    scope.post('/staff/:id/disable', staffChange(async (request, _fields, actor) => {
      notSelf(request, 'disable');
      // The store ends the account's sessions in the same transaction.
      deps.staff.setDisabled(targetOf(request), true, actor);
      return 'staff-disabled';
    }));
    scope.post('/staff/:id/enable', staffChange(async (request, _fields, actor) => {
      deps.staff.setDisabled(targetOf(request), false, actor);
      return 'staff-enabled';
    }));
    scope.post('/staff/:id/password', staffChange(async (request, fields, actor, reply) => {
      const password = requiredText(fields, 'password');
      checkNewPassword(password);
      const id = targetOf(request);
      if (deps.staff.get(id) === null) throw new WfError('WF_ERR_NOT_FOUND', `staff account "${id}" does not exist`);
      // The store ends every session of the account; an administrator changing their own password gets a fresh one.
      deps.staff.setPassword(id, await hashPassword(password), actor);
      if (id === request.signedIn!.staff.id) {
        reply.setCookie(cookieName, deps.sessions.create(id, request.ip).id, cookieOptions(deps.secure, absoluteSeconds));
      }
      return 'staff-password';
    }));
  });
}
