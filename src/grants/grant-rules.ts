/**
 * Every rule of the exclusion-grant workflow, in one place (the council's
 * Members' ICT Usage Guidelines, Appendix A, EXCLUSIONS, as issue 4 reads
 * them). Pure: the clock (`now`) and the policy facts (known categories,
 * what is non-grantable, expiry limits) are passed in, so each rule is tested
 * on its own and the SQLite store, a PostgreSQL store, the CLI and the web
 * server all apply exactly these functions. Each violation is a WfError whose
 * message names the rule:
 *
 * - WF_ERR_FORBIDDEN: who may do what.
 *   · A Group Support Manager (gsm) decides (approve, decline, revoke) only
 *     for members of their own group.
 *   · Nobody approves or declines a request for themselves (a staff account
 *     linked to the grant's member). Revoking one's own grant is allowed: it
 *     only takes access away, so there is no conflict of interest to guard.
 *   · Administrators do not decide requests: the guidelines give that to the
 *     member's own GSM, case by case, and an ICT account that could approve
 *     for every group would bypass the group rule. An administrator may revoke
 *     any grant (ICT must be able to withdraw access at once, e.g. after a
 *     security incident or a mistaken approval).
 *   · Auditors are read-only; disabled accounts can do nothing.
 *   · A member asks only for themselves; staff enter a written request on a
 *     member's behalf (admin, or the GSM of the member's group).
 *   · Content marked non-grantable can never be requested or approved.
 * - WF_ERR_GRANT_STATE: transitions are only pending → approved | declined and
 *   approved → revoked | expired; anything else, including deciding a request
 *   someone else decided a moment ago, is refused.
 * - WF_ERR_INVALID_INPUT: scope syntax, reason and note text, expiry limits.
 *
 * Facts are taken as they are at the moment of the step: the member's group
 * now (a member who changed group is decided for by the new group's GSM), the
 * lists now (content made non-grantable since a request cannot be approved).
 *
 * One file on purpose, past the usual ~300 lines: the rules are the
 * council's, and a reviewer (or auditor) should find all of them, scope
 * spelling included, in one read.
 */
import { parse as parseHost } from 'tldts';
import { canonicalHost, isIpLiteral, normaliseUrl } from '../classify/normalise-url.ts';
import { isWfError, WfError } from '../errors.ts';
import type { GrantScope, GrantStatus } from '../policy/grants.ts';
import type { ParsedActor } from './actor.ts';
import { DAY_MS, toIso } from './time.ts';

export const DEFAULT_EXPIRY_DAYS = 90;
export const MAX_EXPIRY_DAYS = 365;
/** Characters (code points) of the member's written reason and of a decision note. */
export const MAX_REASON_LENGTH = 2000;
export const MAX_NOTE_LENGTH = 2000;
export const MAX_URL_PREFIX_LENGTH = 2000;

export type StaffRole = 'gsm' | 'admin' | 'auditor';
export type DecisionAction = 'approve' | 'decline' | 'revoke';

/** What the rules need to know about a staff account. */
export interface StaffFacts {
  readonly id: string;
  readonly role: StaffRole;
  /** The group a gsm manages; null for admin and auditor. */
  readonly groupId: string | null;
  /** The member this person also is, if any (self-decision rule). */
  readonly memberId: string | null;
  readonly disabled: boolean;
}

export interface MemberFacts {
  readonly id: string;
  readonly groupId: string;
}

export interface GrantFacts {
  readonly id: string;
  readonly memberId: string;
  readonly status: GrantStatus;
  readonly expiresAt: number | null;
}

/**
 * The policy facts the rules consult, rebuilt whenever the category lists
 * are (src/grants/non-grantable.ts builds one from the lists).
 */
export interface GrantPolicy {
  isKnownCategory(id: string): boolean;
  /** Why this (canonical) scope can never be granted, or null when it may be. */
  nonGrantableReason(scope: GrantScope): string | null;
  /** Expiry of an approval that names none (days). */
  readonly defaultExpiryDays: number;
  /** Longest approval allowed (days from the decision). */
  readonly maxExpiryDays: number;
}

export interface GrantPolicyParts {
  isKnownCategory(id: string): boolean;
  nonGrantableReason(scope: GrantScope): string | null;
  defaultExpiryDays?: number;
  maxExpiryDays?: number;
}

/** Checks the limits (whole days, 1 ≤ default ≤ max ≤ 3650) and freezes. */
export function createGrantPolicy(parts: GrantPolicyParts): GrantPolicy {
  const defaultExpiryDays = parts.defaultExpiryDays ?? DEFAULT_EXPIRY_DAYS;
  const maxExpiryDays = parts.maxExpiryDays ?? MAX_EXPIRY_DAYS;
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 1 && n <= 3650;
  if (!whole(defaultExpiryDays) || !whole(maxExpiryDays) || defaultExpiryDays > maxExpiryDays) {
    throw new WfError(
      'WF_ERR_CONFIG_INVALID',
      `grant expiry limits must be whole days with 1 ≤ default ≤ maximum ≤ 3650; got default ${defaultExpiryDays}, maximum ${maxExpiryDays}`,
    );
  }
  return Object.freeze({
    isKnownCategory: parts.isKnownCategory,
    nonGrantableReason: parts.nonGrantableReason,
    defaultExpiryDays,
    maxExpiryDays,
  });
}

// ─── scope ──────────────────────────────────────────────────────────────────

function invalid(message: string): WfError {
  return new WfError('WF_ERR_INVALID_INPUT', message);
}

function forbidden(message: string): WfError {
  return new WfError('WF_ERR_FORBIDDEN', message);
}

/** `category:<id>`, `domain:<name>` or `url:<prefix>`, the form shown and stored. */
export function formatScope(scope: GrantScope): string {
  return `${scope.kind}:${scopeValue(scope)}`;
}

export function scopeValue(scope: GrantScope): string {
  switch (scope.kind) {
    case 'category':
      return scope.category;
    case 'domain':
      return scope.domain;
    case 'url':
      return scope.prefix;
  }
}

/** Builds a scope from its kind and value as typed (not yet canonical: pass it to canonicalScope). */
export function scopeFrom(kind: string, value: string): GrantScope {
  switch (kind) {
    case 'category':
      return { kind, category: value };
    case 'domain':
      return { kind, domain: value };
    case 'url':
      return { kind, prefix: value };
    default:
      throw invalid(`"${kind}" is not a grant scope: use category, domain or url`);
  }
}

/** Parses `kind:value` (formatScope's output, or what a person typed). */
export function parseScope(text: string): GrantScope {
  const colon = text.indexOf(':');
  if (colon <= 0) throw invalid(`"${text}" is not a grant scope: use category:ID, domain:NAME or url:HOST/PATH`);
  return canonicalScope(scopeFrom(text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1)));
}

/**
 * The one spelling of a scope, the one `covers()` (src/policy/grants.ts)
 * compares with a request: a canonical category id; a canonical host that is
 * not a public suffix; a URL prefix spelt `Target.authority + Target.matchPath`.
 */
export function canonicalScope(scope: GrantScope): GrantScope {
  switch (scope.kind) {
    case 'category':
      return { kind: 'category', category: canonicalCategory(scope.category) };
    case 'domain':
      return { kind: 'domain', domain: canonicalDomain(scope.domain) };
    case 'url':
      return { kind: 'url', prefix: canonicalUrlPrefix(scope.prefix) };
  }
}

function canonicalCategory(raw: string): string {
  const id = String(raw).trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(id)) throw invalid(`"${raw}" is not a category id (like pornography or chat)`);
  return id;
}

function canonicalDomain(raw: string): string {
  let text = String(raw).trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.includes('/')) {
    throw invalid(`"${raw}" is not a domain name: give just the name, like example.com (for part of a site use a url scope)`);
  }
  // `*.example.com` and `.example.com` (list-file habits) mean what a domain scope means anyway.
  text = text.replace(/^\*?\./, '');
  const host = canonicalHost(text);
  if (host === null) throw invalid(`"${raw}" is not a valid domain name`);
  if (isIpLiteral(host)) return host;
  // A public suffix (com, co.uk, github.io) would unlock every site under it.
  if (parseHost(host, { allowPrivateDomains: true }).domain === null) {
    throw invalid(`"${host}" is a public suffix or a bare name, which would cover every site under it: name the site's own domain`);
  }
  return host;
}

const SCHEME_PREFIX_RE = /^(https?):\/\//i;

function canonicalUrlPrefix(raw: string): string {
  const text = String(raw).trim();
  if (text.length === 0) throw invalid('the URL prefix is empty: give host/path, like example.com/reports/');
  const scheme = SCHEME_PREFIX_RE.exec(text);
  if (scheme === null && /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw invalid(`"${raw}": a URL prefix is host/path, optionally after http:// or https://`);
  }
  let target;
  try {
    target = normaliseUrl(scheme === null ? `http://${text}` : text);
  } catch (error) {
    if (isWfError(error, 'WF_ERR_BAD_TARGET')) throw invalid(`"${raw}" is not a valid URL prefix (host/path)`);
    throw error;
  }
  // covers() ignores the scheme, so a prefix applies to http and https alike.
  const prefix = target.authority + target.matchPath;
  if ([...prefix].length > MAX_URL_PREFIX_LENGTH) throw invalid(`the URL prefix is too long: use at most ${MAX_URL_PREFIX_LENGTH} characters`);
  return prefix;
}

/** Known category (checked against the policy) and grantable: throws otherwise. Takes a canonical scope. */
export function assertGrantable(scope: GrantScope, policy: GrantPolicy): void {
  if (scope.kind === 'category' && !policy.isKnownCategory(scope.category)) {
    throw invalid(`there is no category "${scope.category}"`);
  }
  const why = policy.nonGrantableReason(scope);
  if (why !== null) throw forbidden(`${formatScope(scope)} can never be granted: ${why}`);
}

// ─── text ───────────────────────────────────────────────────────────────────

/** Control characters other than tab and line breaks (a written reason may have paragraphs). */
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** The member's written reason: required, at most 2000 characters, trimmed. */
export function checkReason(text: unknown): string {
  const reason = typeof text === 'string' ? text.trim() : '';
  if (reason.length === 0) throw invalid('a written reason is required: say why the member needs this access');
  if ([...reason].length > MAX_REASON_LENGTH) throw invalid(`the reason is too long: use at most ${MAX_REASON_LENGTH} characters`);
  if (CONTROL_RE.test(reason)) throw invalid('the reason must be plain text (no control characters)');
  return reason;
}

/** An optional decision or revocation note: null when absent or blank. */
export function checkNote(text: unknown): string | null {
  if (text === undefined || text === null) return null;
  const note = typeof text === 'string' ? text.trim() : '';
  if (note.length === 0) return null;
  if ([...note].length > MAX_NOTE_LENGTH) throw invalid(`the note is too long: use at most ${MAX_NOTE_LENGTH} characters`);
  if (CONTROL_RE.test(note)) throw invalid('the note must be plain text (no control characters)');
  return note;
}

// ─── expiry ─────────────────────────────────────────────────────────────────

function checkDays(days: number, policy: GrantPolicy, what: string): number {
  if (!Number.isSafeInteger(days) || days < 1 || days > policy.maxExpiryDays) {
    throw invalid(`${what} must be a whole number of days from 1 to ${policy.maxExpiryDays}, got ${String(days)}`);
  }
  return days;
}

/** How long the member asks for (optional); at most the maximum. */
export function checkRequestedDays(days: number | null | undefined, policy: GrantPolicy): number | null {
  return days === undefined || days === null ? null : checkDays(days, policy, 'the requested duration');
}

export interface ExpiryChoice {
  /** An explicit instant (epoch ms). */
  readonly expiresAt?: number | undefined;
  /** Or a number of days from now. */
  readonly days?: number | undefined;
}

/**
 * The expiry an approval carries, always one: the instant given, else the
 * days given, else the days the member asked for (capped at the maximum, in
 * case the maximum was lowered since), else the default. An explicit instant
 * or number of days must lie after `now` and within the maximum of it.
 */
export function resolveExpiry(now: number, choice: ExpiryChoice, requestedDays: number | null, policy: GrantPolicy): number {
  if (choice.expiresAt !== undefined && choice.days !== undefined) throw invalid('give an expiry date or a number of days, not both');
  const latest = now + policy.maxExpiryDays * DAY_MS;
  if (choice.expiresAt !== undefined) {
    const at = choice.expiresAt;
    if (!Number.isFinite(at)) throw invalid('the expiry is not a valid time');
    if (at <= now) throw invalid(`the expiry ${toIso(at)} is not in the future`);
    if (at > latest) {
      throw invalid(`the expiry ${toIso(at)} is too far ahead: a grant may last at most ${policy.maxExpiryDays} days (until ${toIso(latest)})`);
    }
    return at;
  }
  const days = choice.days !== undefined ? checkDays(choice.days, policy, 'the grant duration') : (requestedDays ?? policy.defaultExpiryDays);
  return now + Math.min(days, policy.maxExpiryDays) * DAY_MS;
}

// ─── who may do what ────────────────────────────────────────────────────────

/** Who may enter a request for `member`. */
export function assertMayRequest(requestedBy: ParsedActor, member: MemberFacts, staff: StaffFacts | null): void {
  switch (requestedBy.kind) {
    case 'member':
      if (requestedBy.id !== member.id) throw forbidden(`member "${requestedBy.id}" cannot ask for access for another member ("${member.id}")`);
      return;
    case 'cli':
      return;
    case 'system':
      throw forbidden('wardgate itself never requests access');
    case 'staff': {
      if (staff === null) throw new WfError('WF_ERR_NOT_FOUND', `staff account "${requestedBy.id}" does not exist`);
      assertEnabled(staff);
      if (staff.role === 'auditor') throw forbidden(`"${staff.id}" is an auditor: auditors have read-only access`);
      if (staff.role === 'gsm' && staff.groupId !== member.groupId) {
        throw forbidden(
          `"${staff.id}" is the Group Support Manager of group "${staff.groupId}" and cannot enter requests for "${member.id}", a member of group "${member.groupId}"`,
        );
      }
      return;
    }
  }
}

/** Who may approve, decline or revoke this grant (its state is checked separately). */
export function assertMayDecide(action: DecisionAction, staff: StaffFacts, member: MemberFacts, grant: Pick<GrantFacts, 'id' | 'memberId'>): void {
  assertEnabled(staff);
  if (staff.role === 'auditor') throw forbidden(`"${staff.id}" is an auditor: auditors have read-only access`);
  if (action !== 'revoke' && staff.memberId !== null && staff.memberId === grant.memberId) {
    throw forbidden(`nobody decides their own request: "${staff.id}" is member "${grant.memberId}", whose request ${grant.id} this is`);
  }
  if (staff.role === 'admin') {
    if (action === 'revoke') return;
    throw forbidden(
      `"${staff.id}" is an administrator: requests are decided by the member's Group Support Manager, and administrators may only revoke grants`,
    );
  }
  if (staff.groupId !== member.groupId) {
    throw forbidden(
      `"${staff.id}" is the Group Support Manager of group "${staff.groupId}" and cannot ${action} for "${member.id}", a member of group "${member.groupId}"`,
    );
  }
}

function assertEnabled(staff: StaffFacts): void {
  if (staff.disabled) throw forbidden(`staff account "${staff.id}" is disabled`);
}

// ─── transitions ────────────────────────────────────────────────────────────

const NEXT: Readonly<Record<GrantStatus, readonly GrantStatus[]>> = Object.freeze({
  pending: ['approved', 'declined'],
  approved: ['revoked', 'expired'],
  declined: [],
  revoked: [],
  expired: [],
});

const VERB: Readonly<Record<GrantStatus, string>> = Object.freeze({
  pending: 'made pending',
  approved: 'approved',
  declined: 'declined',
  revoked: 'revoked',
  expired: 'marked expired',
});

/**
 * pending → approved | declined; approved → revoked (before its expiry) |
 * expired (at or after it). An approved grant past its expiry is already not
 * honoured (isActive), so revoking it would record a change that changes
 * nothing: it is refused, and the expiry ticker marks it expired.
 */
export function assertTransition(grant: GrantFacts, to: GrantStatus, now: number): void {
  if (!NEXT[grant.status].includes(to)) {
    const allowed = grant.status === 'pending' ? 'only a pending request can be approved or declined' : 'only an approved grant can be revoked';
    throw new WfError('WF_ERR_GRANT_STATE', `grant ${grant.id} is ${grant.status}, so it cannot be ${VERB[to]} (${allowed})`);
  }
  if (to === 'revoked' && grant.expiresAt !== null && now >= grant.expiresAt) {
    throw new WfError('WF_ERR_GRANT_STATE', `grant ${grant.id} expired at ${toIso(grant.expiresAt)}, so there is nothing to revoke`);
  }
  if (to === 'expired' && (grant.expiresAt === null || now < grant.expiresAt)) {
    throw new WfError('WF_ERR_GRANT_STATE', `grant ${grant.id} has not reached its expiry yet`);
  }
}
