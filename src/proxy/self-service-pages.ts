/**
 * The member's self-service pages, as HTML strings: the "Ask for access"
 * form (shown on the block page, and again with the problem named when a
 * submission is refused) and the member's own list of requests. Plain
 * server-rendered HTML: no JavaScript, labelled controls, printable. Every
 * value from a request, the store or a list is escaped.
 */
import type { GrantScope, GrantStatus } from '../policy/grants.ts';
import { escapeHtml, renderPage } from './html.ts';

/**
 * A member's request as these pages show it: the part of a grant record the
 * member may see (a MemberRequestView from src/grants fits it). Instants in epoch ms.
 */
export interface MemberRequestView {
  readonly id: string;
  readonly scope: GrantScope;
  readonly reason: string;
  readonly requestedDays: number | null;
  readonly requestedAt: number;
  readonly status: GrantStatus;
  readonly decidedAt: number | null;
  readonly decisionNote: string | null;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly revokeNote: string | null;
}

/** One "what" radio: the value posted, and what the member reads. */
export interface ScopeChoice {
  readonly value: string;
  readonly label: string;
}

export interface AskForm {
  /** Absolute URL the form posts to (on the reserved host, through the proxy). */
  readonly action: string;
  readonly token: string;
  /** The blocked address the form is about (canonical). */
  readonly url: string;
  readonly choices: readonly ScopeChoice[];
  readonly maxDays: number;
  /** Pre-filled values (the default duration, or what was posted). */
  readonly days: string;
  readonly reason: string;
  readonly selected: string | null;
  readonly maxReasonLength: number;
  /** Absolute URL of the member's list of requests. */
  readonly listUrl: string;
}

export function renderAskForm(form: AskForm): string {
  const selected = form.selected ?? form.choices[0]?.value;
  const radios = form.choices
    .map((choice, i) => {
      const id = `what-${i}`;
      const checked = choice.value === selected ? ' checked' : '';
      return `<div class="choice"><input type="radio" name="scope" id="${id}" value="${escapeHtml(choice.value)}"${checked} required> <label for="${id}">${escapeHtml(choice.label)}</label></div>`;
    })
    .join('\n');
  return `<form method="post" action="${escapeHtml(form.action)}" class="ask">
<input type="hidden" name="token" value="${escapeHtml(form.token)}">
<input type="hidden" name="url" value="${escapeHtml(form.url)}">
<fieldset>
<legend>What do you need?</legend>
${radios}
</fieldset>
<p><label for="reason">Why do you need it for your work as a Member? (required)</label><br>
<textarea id="reason" name="reason" rows="5" cols="60" required maxlength="${form.maxReasonLength}" aria-describedby="reason-hint">${escapeHtml(form.reason)}</textarea><br>
<span id="reason-hint" class="hint">Your Group Support Manager reads this when deciding. At most ${form.maxReasonLength} characters.</span></p>
<p><label for="days">For how many days?</label>
<input type="number" id="days" name="days" min="1" max="${form.maxDays}" step="1" value="${escapeHtml(form.days)}" required aria-describedby="days-hint">
<span id="days-hint" class="hint">1 to ${form.maxDays} days.</span></p>
<p><button type="submit">Ask for access</button></p>
</form>
<p><a href="${escapeHtml(form.listUrl)}">See your requests</a></p>`;
}

/** A refused submission: the problem named at the top, then the form as it was posted. */
export function renderAskAgainPage(problem: string, form: AskForm): string {
  const body = `<h1>Your request was not sent</h1>
<div class="problem" role="alert"><p>${escapeHtml(problem)}</p></div>
<dl>
<dt>Address</dt><dd>${escapeHtml(form.url)}</dd>
</dl>
${renderAskForm(form)}`;
  return renderPage('Request not sent — wardgate', body);
}

export interface RequestsPageInput {
  readonly memberName: string;
  readonly memberId: string;
  readonly groupName: string;
  /** The member's grants, newest request first. */
  readonly grants: readonly MemberRequestView[];
  /** A grant just submitted (shown as a confirmation), if it is one of theirs. */
  readonly sent: MemberRequestView | null;
  readonly now: number;
  /** The council's name for a category id, when it has one. */
  readonly categoryTitle: (id: string) => string | undefined;
}

export function renderRequestsPage(input: RequestsPageInput): string {
  const sent =
    input.sent === null
      ? ''
      : `<div class="done" role="status"><p>Your request for ${escapeHtml(describeScope(input.sent.scope, input.categoryTitle))} has been sent to the Group Support Manager of the ${escapeHtml(input.groupName)} group. You will see their decision here.</p></div>\n`;
  const rows = input.grants.map((g) => renderRow(g, input.now, input.categoryTitle)).join('\n');
  const table =
    input.grants.length === 0
      ? '<p>You have not asked for access to anything yet. When a site is blocked, the block page lets you ask.</p>'
      : `<table>
<caption>Newest first</caption>
<thead><tr><th scope="col">Asked on</th><th scope="col">For</th><th scope="col">Your reason</th><th scope="col">Status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  const body = `<h1>Your requests for access</h1>
${sent}<p>${escapeHtml(input.memberName)} (${escapeHtml(input.memberId)}), ${escapeHtml(input.groupName)} group.</p>
${table}`;
  return renderPage('Your requests — wardgate', body);
}

function renderRow(g: MemberRequestView, now: number, categoryTitle: (id: string) => string | undefined): string {
  const days = g.requestedDays === null ? '' : ` (${g.requestedDays} day${g.requestedDays === 1 ? '' : 's'})`;
  return `<tr><td>${formatTime(g.requestedAt)}</td><td>${escapeHtml(describeScope(g.scope, categoryTitle))}${days}</td><td class="reason">${escapeHtml(g.reason)}</td><td>${status(g, now)}</td></tr>`;
}

/** Status and what goes with it; an approval past its expiry reads as expired even before the store marks it. */
function status(g: MemberRequestView, now: number): string {
  const note = (text: string | null) => (text === null ? '' : `<br>Note: ${escapeHtml(text)}`);
  const on = (at: number | null) => (at === null ? '' : ` on ${formatTime(at)}`);
  switch (g.status) {
    case 'pending':
      return '<strong>Waiting</strong> for a decision by your Group Support Manager';
    case 'approved':
      return g.expiresAt !== null && g.expiresAt <= now
        ? `<strong>Expired</strong> on ${formatTime(g.expiresAt)}`
        : `<strong>Approved</strong>${on(g.decidedAt)}, until ${formatTime(g.expiresAt ?? now)}${note(g.decisionNote)}`;
    case 'declined':
      return `<strong>Declined</strong>${on(g.decidedAt)}${note(g.decisionNote)}`;
    case 'revoked':
      return `<strong>Revoked</strong>${on(g.revokedAt)}${note(g.revokeNote)}`;
    case 'expired':
      return `<strong>Expired</strong>${on(g.expiresAt)}`;
  }
}

/** A scope as a member reads it. */
export function describeScope(scope: GrantScope, categoryTitle: (id: string) => string | undefined = () => undefined): string {
  switch (scope.kind) {
    case 'category': {
      const title = categoryTitle(scope.category);
      return title === undefined ? `the category ${scope.category}` : `the category "${title}"`;
    }
    case 'domain':
      return `the site ${scope.domain} (and its subdomains)`;
    case 'url':
      return `addresses starting ${scope.prefix}`;
  }
}

const TIME_FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "23 Nov 2026, 19:10 UTC": unambiguous for a UK reader and the same on every server. */
export function formatTime(at: number): string {
  return `${TIME_FORMAT.format(at)} UTC`;
}
