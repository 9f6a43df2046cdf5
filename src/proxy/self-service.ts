/**
 * The member's self-service pages, answered by the proxy itself on a reserved
 * host name (`selfService.host`, `wardgate.invalid` by default: `.invalid`
 * never resolves, so nothing real can be reached that way):
 *
 *   GET  http://HOST/requests   the member's own requests, newest first
 *   POST http://HOST/request    "Ask for access", posted from the block page
 *   GET  http://HOST/           → 303 /requests
 *
 * The member is whoever the proxy identifies (Basic credentials or client
 * address), never a form field. A submission must carry the CSRF token the
 * block page minted for that member and address (self-service-token.ts) and
 * come from that page's origin or from these pages (Origin, else Referer).
 * Requests to HOST are never classified or forwarded, and each gets a
 * `type: "self-service"` line in the decision log (src/log/self-service-record.ts).
 *
 * The store is reached through MemberRequests, a port the composition root
 * fills in with the grants store, so the proxy never imports a store.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Target } from '../classify/target.ts';
import { normaliseUrl } from '../classify/normalise-url.ts';
import { canonicalClientAddress } from '../directory/directory-store.ts';
import type { MemberRecord } from '../directory/directory-snapshot.ts';
import { isWfError } from '../errors.ts';
import type { RequestIdentity } from '../log/decision-record.ts';
import { toSelfServiceRecord, type SelfServiceAction } from '../log/self-service-record.ts';
import { evaluate, type Evaluation } from '../pipeline/evaluate.ts';
import type { RuntimeSnapshot } from '../pipeline/runtime-snapshot.ts';
import type { GrantScope } from '../policy/grants.ts';
import type { Policy } from '../policy/policy-model.ts';
import type { AdmissionDeps } from './admission.ts';
import { PROXY_REALM } from './answers.ts';
import { renderErrorPage } from './error-page.ts';
import { VIA_TOKEN } from './headers.ts';
import { renderAskAgainPage, renderRequestsPage, type AskForm, type MemberRequestView, type ScopeChoice } from './self-service-pages.ts';
import type { TokenSigner } from './self-service-token.ts';

/** Largest form body accepted: a 2,000-character reason percent-encoded is at most ~18 KB. */
const MAX_FORM_BYTES = 32 * 1024;

/** What the self-service pages need from the grants store. */
export interface MemberRequests {
  /** Stores a pending request by the member themselves; throws WfError (INVALID_INPUT, FORBIDDEN, CONFLICT, NOT_FOUND). */
  submit(input: { readonly memberId: string; readonly scope: GrantScope; readonly reason: string; readonly days: number }): Promise<{ readonly id: string }>;
  /** Every request of this member, newest first. */
  listFor(memberId: string): Promise<readonly MemberRequestView[]>;
}

export interface SelfServiceOptions {
  /** The reserved host name (lower case). */
  readonly host: string;
  readonly signer: TokenSigner;
  readonly requests: MemberRequests;
  readonly defaultDays: number;
  readonly maxDays: number;
  readonly maxReasonLength: number;
  /** Called once a request is stored, so the serving process notices its own write (store-sync, notifications). */
  readonly onSubmitted: () => void;
}

export interface SelfServiceContext extends AdmissionDeps {
  readonly inFlight: { count: number };
}

export interface SelfService {
  readonly host: string;
  /** Whether an absolute-form request URL is for the reserved host (checked before any classification). */
  handles(url: string): boolean;
  /** The form for a block page, or null when nothing here can be asked for. */
  askForm(target: Target, member: MemberRecord, evaluation: Evaluation, snapshot: RuntimeSnapshot, now: number): AskForm | null;
  handle(ctx: SelfServiceContext, req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly action: SelfServiceAction;
  readonly grant?: string;
  readonly error?: string;
  readonly close?: boolean;
}

export function createSelfService(options: SelfServiceOptions): SelfService {
  const { host, signer } = options;
  const base = `http://${host}`;
  const listUrl = `${base}/requests`;
  const csp = `default-src 'none'; style-src 'unsafe-inline'; form-action ${base}; frame-ancestors 'none'; base-uri 'none'`;

  function form(target: Target, member: MemberRecord, choices: readonly ScopeChoice[], now: number, posted?: { scope: string; reason: string; days: string }): AskForm {
    return {
      action: `${base}/request`,
      token: signer.mint(member.id, target.url, now),
      url: target.url,
      choices,
      maxDays: options.maxDays,
      days: posted?.days ?? String(Math.min(options.defaultDays, options.maxDays)),
      reason: posted?.reason ?? '',
      selected: posted?.scope ?? null,
      maxReasonLength: options.maxReasonLength,
      listUrl,
    };
  }

  async function list(member: MemberRecord, snapshot: RuntimeSnapshot, url: URL, now: number): Promise<Reply> {
    const grants = await options.requests.listFor(member.id);
    const sentId = url.searchParams.get('sent');
    const body = renderRequestsPage({
      memberName: member.name,
      memberId: member.id,
      groupName: snapshot.directory.groups.get(member.groupId)?.name ?? member.groupId,
      grants,
      // Only ever one of the member's own: the id comes from the query string.
      sent: grants.find((g) => g.id === sentId) ?? null,
      now,
      categoryTitle: (id) => snapshot.policy.categories.get(id)?.title,
    });
    return { status: 200, body, action: 'list' };
  }

  async function submit(ctx: SelfServiceContext, req: IncomingMessage, member: MemberRecord, snapshot: RuntimeSnapshot, now: number): Promise<Reply> {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      return page(415, 'Not a form submission', 'Send the "Ask for access" form from the block page.', 'invalid', 'bad-content-type', true);
    }
    const fields = await readForm(req);
    if (fields === null) {
      return page(413, 'Request too large', 'The form was too large. Shorten your reason and try again.', 'invalid', 'too-large', true);
    }
    let target: Target;
    try {
      target = normaliseUrl(fields.get('url') ?? '');
    } catch {
      return page(400, 'Request not sent', 'The form did not say which address it is about. Go back to the block page and use its form.', 'invalid', 'bad-url');
    }
    if (!originAllowed(req, [base, originOf(target)])) {
      return page(403, 'Request not sent', 'This form was not sent from a wardgate page, so it was refused. Use the form on the block page.', 'forbidden', 'bad-origin');
    }
    if (!signer.verify(fields.get('token') ?? '', member.id, target.url, now)) {
      return page(
        403,
        'Request not sent',
        'The form has expired or did not come from your block page. Reload the blocked address and use the new form.',
        'forbidden',
        'bad-token',
      );
    }
    const evaluation = evaluate(target, member, snapshot, now);
    if (evaluation.decision.action !== 'block') {
      return page(409, 'Nothing to ask for', `${target.url} is not blocked for you now: you can visit it.`, 'invalid', 'not-blocked');
    }
    const choices = scopeChoices(target, evaluation, snapshot.policy);
    if (choices === null) {
      return page(403, 'This cannot be granted', 'Access to this content cannot be granted by anyone.', 'forbidden', 'WF_ERR_FORBIDDEN');
    }
    const posted = { scope: fields.get('scope') ?? '', reason: fields.get('reason') ?? '', days: (fields.get('days') ?? '').trim() };
    const again = (status: number, problem: string, error: string): Reply => ({
      status,
      body: renderAskAgainPage(problem, form(target, member, choices, now, posted)),
      action: 'invalid',
      error,
    });
    const choice = choices.find((c) => c.value === posted.scope);
    if (choice === undefined) return again(400, 'Choose what you need: this site, this address or the category.', 'bad-scope');
    const reason = posted.reason.trim();
    if (reason.length === 0) return again(400, 'Say why you need this for your work as a Member: the reason is required.', 'no-reason');
    if ([...reason].length > options.maxReasonLength) {
      return again(400, `The reason is too long: use at most ${options.maxReasonLength} characters.`, 'long-reason');
    }
    const days = /^\d{1,4}$/.test(posted.days) ? Number(posted.days) : NaN;
    if (!(days >= 1 && days <= options.maxDays)) {
      return again(400, `Give the number of days as a whole number from 1 to ${options.maxDays}.`, 'bad-days');
    }
    try {
      const stored = await options.requests.submit({ memberId: member.id, scope: toScope(choice.value, target), reason, days });
      options.onSubmitted();
      return { status: 303, body: '', headers: { location: `${listUrl}?sent=${encodeURIComponent(stored.id)}` }, action: 'request', grant: stored.id };
    } catch (error) {
      if (isWfError(error, 'WF_ERR_INVALID_INPUT') || isWfError(error, 'WF_ERR_NOT_FOUND')) return again(400, error.message, error.code);
      if (isWfError(error, 'WF_ERR_CONFLICT')) {
        return again(409, 'You have already asked for this and it is waiting for a decision: see your requests.', error.code);
      }
      if (isWfError(error, 'WF_ERR_FORBIDDEN')) return page(403, 'This cannot be granted', error.message, 'forbidden', error.code);
      ctx.appLog.error({ err: error, member: member.id }, 'self-service request could not be stored');
      return page(500, 'Request not sent', 'wardgate could not store your request. Please try again shortly; if it keeps happening, tell ICT.', 'error', 'WF_ERR_STORE');
    }
  }

  async function route(ctx: SelfServiceContext, req: IncomingMessage, url: URL, member: MemberRecord, snapshot: RuntimeSnapshot): Promise<Reply> {
    const method = req.method ?? 'GET';
    const now = ctx.now();
    if (url.pathname === '/' || url.pathname === '/requests') {
      if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET, HEAD');
      if (url.pathname === '/') return { status: 303, body: '', headers: { location: listUrl }, action: 'list' };
      return list(member, snapshot, url, now);
    }
    if (url.pathname === '/request') {
      if (method !== 'POST') return notAllowed('POST');
      return submit(ctx, req, member, snapshot, now);
    }
    return page(404, 'No such page', `wardgate has no page at ${url.pathname}. Your requests are at ${listUrl}.`, 'not-found', null);
  }

  return {
    host,
    handles(url) {
      if (url.length < base.length || url.slice(0, base.length).toLowerCase() !== base) return false;
      // One trailing dot (`http://wardgate.invalid./`) names the same host, as the URL normaliser has it.
      const end = url[base.length] === '.' ? base.length + 1 : base.length;
      return url.length === end || '/:?#'.includes(url[end]!);
    },
    askForm(target, member, evaluation, snapshot, now) {
      if (target.scheme !== 'http') return null;
      const choices = scopeChoices(target, evaluation, snapshot.policy);
      return choices === null ? null : form(target, member, choices, now);
    },
    async handle(ctx, req, res) {
      ctx.inFlight.count++;
      const startedAt = performance.now();
      const client = canonicalClientAddress(req.socket.remoteAddress ?? '');
      let request: RequestIdentity = { id: randomUUID(), kind: 'http', method: req.method ?? 'GET', client, member: null, via: null };
      let url: URL | null = null;
      let reply: Reply;
      try {
        url = new URL(req.url ?? '');
        const snapshot = ctx.snapshots.current;
        const identity = await ctx.identify(req.headers['proxy-authorization'], client, snapshot.directory);
        if (!identity.ok) {
          reply = {
            status: 407,
            headers: { 'proxy-authenticate': `Basic realm="${PROXY_REALM}", charset="UTF-8"` },
            body: renderErrorPage(407, 'Sign in to use the council proxy', 'Sign in with your council user name and password to see your requests.'),
            action: 'refused',
            error: identity.reason,
            close: hasBody(req),
          };
        } else {
          request = { ...request, member: { id: identity.member.id, groupId: identity.member.groupId }, via: identity.via };
          reply = await route(ctx, req, url, identity.member, snapshot);
        }
      } catch (error) {
        ctx.appLog.error({ err: error, url: req.url }, 'self-service page failed');
        reply = page(500, 'wardgate error', 'wardgate could not show this page. Please try again shortly.', 'error', 'WF_ERR_INTERNAL', true);
      }
      try {
        send(res, reply, csp);
        const seconds = (performance.now() - startedAt) / 1000;
        // Counted, but as what it is: the proxy's own pages, not allowed or blocked browsing.
        ctx.metrics.recordRequest('http', 'self-service', '', seconds, null);
        ctx.decisionLog.info(
          toSelfServiceRecord(request, {
            host,
            path: url?.pathname ?? '',
            action: reply.action,
            status: reply.status,
            grant: reply.grant ?? null,
            error: reply.error ?? null,
            durationMs: Math.round(seconds * 1e6) / 1000,
          }),
        );
      } finally {
        ctx.inFlight.count--;
      }
    },
  };
}

function page(status: number, heading: string, detail: string, action: SelfServiceAction, error: string | null, close = false): Reply {
  return { status, body: renderErrorPage(status, heading, detail), action, ...(error === null ? {} : { error }), close };
}

function notAllowed(allow: string): Reply {
  return { ...page(405, 'Method not allowed', `This page answers ${allow} only.`, 'method-not-allowed', null), headers: { allow } };
}

function send(res: ServerResponse, reply: Reply, csp: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    via: VIA_TOKEN,
    ...reply.headers,
    ...(reply.close === true ? { connection: 'close' } : {}),
  });
  res.end(body);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
}

/** The body as form fields, or null when it is larger than MAX_FORM_BYTES (the rest is not read). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_FORM_BYTES) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function originOf(target: Target): string {
  return `${target.scheme}://${target.authority}`;
}

/**
 * The Origin header, else the Referer's origin, must be one of `allowed`:
 * the block page's own origin (the form is on it) or these pages' (the form
 * shown again after a problem). Neither header, or `Origin: null`: refused.
 */
function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  const referer = req.headers.referer;
  let from: string | null = null;
  try {
    if (origin !== undefined) from = origin === 'null' ? null : new URL(origin).origin;
    else if (referer !== undefined) from = new URL(referer).origin;
  } catch {
    return false;
  }
  return from !== null && allowed.some((a) => new URL(a).origin === from);
}

/**
 * What a member may ask for about a blocked address: this site (its host and
 * subdomains), only this address, or each enforced category that blocked it.
 * Null when any match can never be granted, or the block was not a category's.
 */
function scopeChoices(target: Target, evaluation: Evaluation, policy: Policy): ScopeChoice[] | null {
  const { decision, classification } = evaluation;
  if (decision.action !== 'block' || decision.reason !== 'category') return null;
  const grantable = classification.matches.every((m) => {
    const category = policy.categories.get(m.category);
    return category === undefined || !category.enforced || (category.grantable && m.grantable);
  });
  if (!grantable) return null;
  const choices: ScopeChoice[] = [{ value: 'domain', label: `This site: ${target.host} (and its subdomains)` }];
  if (target.path !== '/' && target.path !== '') choices.push({ value: 'url', label: `Only addresses starting ${target.url}` });
  for (const id of decision.categories) {
    const category = policy.categories.get(id);
    if (category !== undefined) choices.push({ value: `category:${id}`, label: `Every site in the category "${category.title}"` });
  }
  return choices;
}

function toScope(value: string, target: Target): GrantScope {
  if (value === 'domain') return { kind: 'domain', domain: target.host };
  if (value === 'url') return { kind: 'url', prefix: target.url };
  return { kind: 'category', category: value.slice('category:'.length) };
}
