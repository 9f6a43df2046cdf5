/**
 * The JSON API for scripts, under /api/v1 (docs/admin-api.md):
 *
 *   GET  /api/v1/me
 *   GET  /api/v1/grants?status&member&group&from&to&limit
 *   GET  /api/v1/grants/:id
 *   GET  /api/v1/grants/:id/events         the grant's audit trail
 *   POST /api/v1/grants                    {memberId, scope, reason, days?}
 *   POST /api/v1/grants/:id/approve        {days? | expires?, note?}
 *   POST /api/v1/grants/:id/decline        {note?}
 *   POST /api/v1/grants/:id/revoke         {note?}
 *   GET  /api/v1/audit-events?member&actor&action&from&to&limit
 *   /api/v1/members…, /api/v1/groups…    the member directory (directory-api.ts)
 *
 * Authentication is `Authorization: Bearer wgt_…` only (no cookies, hence
 * no CSRF to forge); the token acts as its staff account, whose role and
 * group are checked by the same GrantService the web pages use. Errors are
 * `{"error": {"code", "message"}}` with the status from http-errors.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WfError } from '../errors.ts';
import { grantToJson, type AuditEvent } from '../grants/grant-store.ts';
import type { StaffRecord } from '../grants/staff-store.ts';
import { toIso } from '../grants/time.ts';
import { registerDirectoryApi } from './directory-api.ts';
import { registerCategoriesApi } from './category-settings-routes.ts';
import { toHttpProblem } from './http-errors.ts';
import { auditQueryFrom, fieldsOf, grantQueryFrom, optionalDate, optionalInt, optionalText, requiredText, type Fields } from './request-input.ts';
import { resolveBearer, type StaffUiDeps } from './staff-auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiStaff: StaffRecord | null;
  }
}

function auditToJson(event: AuditEvent): Record<string, unknown> {
  return { id: event.id, at: toIso(event.at), actor: event.actor, action: event.action, subject: event.subject, before: event.before, after: event.after };
}

function sendProblem(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}

export async function registerApiRoutes(app: FastifyInstance, deps: StaffUiDeps): Promise<void> {
  await app.register(
    async (api) => {
      api.decorateRequest('apiStaff', null);
      api.addHook('onRequest', async (request, reply) => {
        const staff = resolveBearer(deps, request.headers.authorization);
        if (staff === null) {
          reply.header('www-authenticate', 'Bearer realm="wardgate"');
          const message = request.headers.authorization === undefined
            ? 'this API needs "Authorization: Bearer <token>"; issue a token with "wardgate users token ID"'
            : 'the bearer token is not valid: unknown, revoked or expired, or its account is disabled';
          return sendProblem(reply, 401, 'WF_ERR_AUTH', message);
        }
        request.apiStaff = staff;
      });
      api.setErrorHandler(async (error, request, reply) => {
        const problem = toHttpProblem(error);
        if (problem.status >= 500) deps.log.error({ err: error, url: request.url }, 'admin API: request failed');
        return sendProblem(reply, problem.status, problem.code, problem.message);
      });
      api.setNotFoundHandler(async (request, reply) => sendProblem(reply, 404, 'WF_ERR_NOT_FOUND', `no API endpoint ${request.method} ${request.url.split('?')[0]}`));

      const staffOf = (request: FastifyRequest) => request.apiStaff!;
      const query = (request: FastifyRequest) => request.query as Fields;
      const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

      api.get('/me', async (request) => {
        const s = staffOf(request);
        return { id: s.id, name: s.name, role: s.role, groupId: s.groupId, memberId: s.memberId };
      });

      api.get('/grants', async (request) => {
        const grants = await deps.grants.list(staffOf(request), grantQueryFrom(query(request)));
        return { grants: grants.map(grantToJson) };
      });

      api.get('/grants/:id', async (request) => ({ grant: grantToJson(await deps.grants.get(staffOf(request), idOf(request))) }));

      api.get('/grants/:id/events', async (request) => ({ events: (await deps.grants.grantTrail(staffOf(request), idOf(request))).map(auditToJson) }));

      api.post('/grants', async (request, reply) => {
        const fields = fieldsOf(request.body);
        const grant = await deps.grants.request(staffOf(request), {
          memberId: requiredText(fields, 'memberId'),
          scope: requiredText(fields, 'scope'),
          reason: requiredText(fields, 'reason'),
          days: optionalInt(fields, 'days'),
        });
        return reply.code(201).header('location', `/api/v1/grants/${grant.id}`).send({ grant: grantToJson(grant) });
      });

      api.post('/grants/:id/approve', async (request) => {
        const fields = fieldsOf(request.body);
        const grant = await deps.grants.approve(staffOf(request), idOf(request), {
          days: optionalInt(fields, 'days'),
          expiresAt: optionalDate(fields, 'expires', true),
          note: optionalText(fields, 'note'),
        });
        return { grant: grantToJson(grant) };
      });

      api.post('/grants/:id/decline', async (request) => {
        const fields = fieldsOf(request.body);
        return { grant: grantToJson(await deps.grants.decline(staffOf(request), idOf(request), optionalText(fields, 'note'))) };
      });

      api.post('/grants/:id/revoke', async (request) => {
        const fields = fieldsOf(request.body);
        return { grant: grantToJson(await deps.grants.revoke(staffOf(request), idOf(request), optionalText(fields, 'note'))) };
      });

      api.get('/audit-events', async (request) => {
        const events = await deps.grants.audit(staffOf(request), auditQueryFrom(query(request)));
        return { events: events.map(auditToJson) };
      });

      registerDirectoryApi(api, deps, staffOf);
      registerCategoriesApi(api, deps, staffOf);



    },
    { prefix: '/api/v1' },
  );
}
