/**
 * Who is calling the admin server: a staff account signed in with a session
 * cookie (web UI) or presenting a bearer token (JSON API). Either way the
 * account is read afresh from the store on every request, so disabling it,
 * or changing its role or group, takes effect on the next request.
 *
 * Cookie: HttpOnly, SameSite=Strict, Path=/, and Secure when the admin
 * server runs TLS — then also named with the `__Host-` prefix, which
 * browsers only accept from a secure origin without a Domain.
 */
import type { ReportSource } from './report-source.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import type { ApiTokenStore } from '../grants/api-token-store.ts';
import type { StaffRecord, StaffStore } from '../grants/staff-store.ts';
import type { Logger } from 'pino';
import type { CategorySettingsDeps } from './category-settings-routes.ts';
import type { CategoryPolicy } from '../policy/policy-model.ts';
import type { GrantService } from './grant-service.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { Session, SessionStore } from './session-store.ts';

/** Everything the staff-facing routes (web and API) need. */
export interface StaffUiDeps {
  readonly grants: GrantService;
  readonly staff: StaffStore;
  /** Read by every role's pages; written only by administrators (src/admin/directory-routes.ts). */
  readonly directory: Pick<
    DirectoryStore,
    'listMembers' | 'listGroups' | 'getMember' | 'addMember' | 'updateMember' | 'setPassword' | 'setIps' | 'removeMember' | 'addGroup' | 'renameGroup' | 'removeGroup'
  >;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokenStore;
  readonly limiter: LoginLimiter;
  /** The category policy serving now (enforced, grantable), for the read-only categories page. */
  readonly categories: () => readonly CategoryPolicy[];
  /** Administrators' category overrides (categories page); absent: the page is read-only for everyone. */
  readonly categorySettings?: CategorySettingsDeps | undefined;
  /** The auditors' report from the decision logs (Reports page). */
  readonly reports: ReportSource;
  /** The admin server runs TLS: cookies get Secure and the __Host- prefix. */
  readonly secure: boolean;
  readonly clock: () => number;
  readonly log: Logger;
}

export interface SignedIn {
  readonly staff: StaffRecord;
  readonly session: Session;
  /** The cookie value (to end the session at sign-out). */
  readonly sessionId: string;
}

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-wardgate_session' : 'wardgate_session';
}

export const LOGIN_COOKIE = 'wardgate_login';

export function cookieOptions(secure: boolean, maxAgeSeconds?: number) {
  return { httpOnly: true, sameSite: 'strict' as const, secure, path: '/', ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }) };
}

/** The signed-in account for a session cookie value, or null (unknown, expired, or the account disabled or gone). */
export function resolveSession(deps: StaffUiDeps, sessionId: string | undefined): SignedIn | null {
  if (sessionId === undefined || sessionId === '') return null;
  const found = deps.sessions.lookup(sessionId);
  if (found.session === null) return null;
  const staff = deps.staff.get(found.session.staffId);
  if (staff === null || staff.disabled) {
    deps.sessions.destroy(sessionId);
    return null;
  }
  return { staff, session: found.session, sessionId };
}

/** The account for an `Authorization: Bearer …` header, or null when absent, malformed, unknown, revoked, expired or disabled. */
export function resolveBearer(deps: StaffUiDeps, authorization: string | undefined): StaffRecord | null {
  if (authorization === undefined) return null;
  const match = /^Bearer +([A-Za-z0-9_-]{1,200})\s*$/.exec(authorization);
  if (match === null) return null;
  const token = deps.tokens.verify(match[1]!);
  if (token === null) return null;
  const staff = deps.staff.get(token.staffId);
  return staff === null || staff.disabled ? null : staff;
}
