/**
 * Grant pages: the pending-request queue (with each member's history and
 * the decision forms), the grant list with filters, one grant with its
 * audit trail, and the form for staff entering a member's request. Which
 * forms appear follows the grant rules (a GSM decides for their group, an
 * administrator only revokes, an auditor reads); the server checks again on
 * every submission, so a hand-made form gains nothing.
 */
import { describePasswordChange } from '../../directory/directory-audit.ts';
import type { AuditEvent, GrantRecord } from '../../grants/grant-store.ts';
import { formatScope, MAX_NOTE_LENGTH, MAX_REASON_LENGTH } from '../../grants/grant-rules.ts';
import type { StaffRecord } from '../../grants/staff-store.ts';
import type { GrantQuery, QueueEntry } from '../grant-service.ts';
import { GRANT_STATUSES } from '../grant-service.ts';
import { html, type Html, type HtmlValue } from '../html.ts';
import { formatTime, isActive, statusText } from './format.ts';
import { csrfField, page, type Message, type PageContext } from './layout.ts';

function mayDecide(staff: StaffRecord, grant: GrantRecord): boolean {
  return staff.role === 'gsm' && grant.status === 'pending' && staff.memberId !== grant.memberId;
}

function mayRevoke(staff: StaffRecord, grant: GrantRecord, now: number): boolean {
  return (staff.role === 'gsm' || staff.role === 'admin') && isActive(grant, now);
}

function decisionForms(ctx: PageContext, grant: GrantRecord, now: number): HtmlValue {
  const parts: Html[] = [];
  const id = grant.id;
  if (mayDecide(ctx.staff, grant)) {
    parts.push(html`<form method="post" action="/grants/${id}/approve" class="no-print">
${csrfField(ctx.csrfToken)}
<fieldset><legend>Approve ${id}</legend>
<label for="days-${id}">Expires after (days)</label>
<p class="hint" id="days-hint-${id}">Leave both empty for ${grant.requestedDays === null ? 'the default' : `the ${grant.requestedDays} days asked for`}.</p>
<input type="number" min="1" id="days-${id}" name="days" aria-describedby="days-hint-${id}">
<label for="date-${id}">or expires at the end of (date, UTC)</label>
<input type="date" id="date-${id}" name="expires">
<label for="anote-${id}">Note (optional)</label>
<textarea id="anote-${id}" name="note" maxlength="${MAX_NOTE_LENGTH}"></textarea>
<div><button type="submit">Approve</button></div>
</fieldset></form>
<form method="post" action="/grants/${id}/decline" class="no-print">
${csrfField(ctx.csrfToken)}
<fieldset><legend>Decline ${id}</legend>
<label for="dnote-${id}">Note to the member (optional)</label>
<textarea id="dnote-${id}" name="note" maxlength="${MAX_NOTE_LENGTH}"></textarea>
<div><button type="submit" class="warn">Decline</button></div>
</fieldset></form>`);
  }
  if (mayRevoke(ctx.staff, grant, now)) {
    parts.push(html`<form method="post" action="/grants/${id}/revoke" class="no-print">
${csrfField(ctx.csrfToken)}
<fieldset><legend>Revoke ${id}</legend>
<label for="rnote-${id}">Why (optional)</label>
<textarea id="rnote-${id}" name="note" maxlength="${MAX_NOTE_LENGTH}"></textarea>
<div><button type="submit" class="warn">Revoke</button></div>
</fieldset></form>`);
  }
  return parts;
}

function grantTable(caption: string, grants: readonly GrantRecord[], now: number, ctx?: PageContext): Html {
  if (grants.length === 0) return html`<p>${caption}: none.</p>`;
  const rows = grants.map((g) => html`<tr>
<th scope="row"><a href="/grants/${g.id}">${g.id}</a></th>
<td>${g.memberId}</td>
<td>${formatScope(g.scope)}</td>
<td class="reason">${g.reason}</td>
<td class="status-${g.status}">${statusText(g, now)}</td>
<td>${formatTime(g.requestedAt)}</td>
<td>${g.decidedBy ?? '—'}</td>
<td>${formatTime(g.expiresAt)}</td>
<td class="note">${g.revokeNote ?? g.decisionNote ?? ''}</td>
${ctx === undefined ? '' : html`<td>${mayRevoke(ctx.staff, g, now) ? html`<form method="post" action="/grants/${g.id}/revoke" class="inline">${csrfField(ctx.csrfToken)}<button type="submit" class="warn" aria-label="Revoke ${g.id}">Revoke</button></form>` : ''}</td>`}
</tr>`);
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Grant</th><th scope="col">Member</th><th scope="col">Scope</th><th scope="col">Reason</th><th scope="col">Status</th><th scope="col">Requested</th><th scope="col">Decided by</th><th scope="col">Expires</th><th scope="col">Note</th>${ctx === undefined ? '' : html`<th scope="col"><span class="no-print">Action</span></th>`}</tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export function queuePage(ctx: PageContext, entries: readonly QueueEntry[], now: number, message?: Message): Html {
  const scope = ctx.staff.role === 'gsm' ? `members of group ${ctx.staff.groupId}` : 'all groups';
  const note =
    ctx.staff.role === 'admin'
      ? html`<p>Requests are decided by the member's Group Support Manager; administrators may revoke approved grants.</p>`
      : ctx.staff.role === 'auditor'
        ? html`<p>Read-only view.</p>`
        : '';
  const sections = entries.map(({ grant, history }) => html`<section aria-labelledby="q-${grant.id}">
<h2 id="q-${grant.id}">${grant.memberId}: ${formatScope(grant.scope)}</h2>
<dl class="facts">
<dt>Request</dt><dd><a href="/grants/${grant.id}">${grant.id}</a></dd>
<dt>Reason</dt><dd>${grant.reason}</dd>
<dt>Asked for</dt><dd>${grant.requestedDays === null ? 'no particular time' : `${grant.requestedDays} days`}</dd>
<dt>Requested</dt><dd>${formatTime(grant.requestedAt)} by ${grant.requestedBy}</dd>
</dl>
${grantTable(`Earlier requests and grants of ${grant.memberId}`, history, now)}
${decisionForms(ctx, grant, now)}
</section>`);
  return page(
    ctx,
    'Pending requests',
    html`<p>${entries.length === 0 ? 'No requests are waiting' : `${entries.length} request(s) waiting`} (${scope}), oldest first.</p>${note}${sections}`,
    message,
  );
}

function filterForm(query: GrantQuery, showGroup: boolean): Html {
  const options = ['', ...GRANT_STATUSES].map(
    (s) => html`<option value="${s}"${(query.status ?? '') === s ? html` selected` : ''}>${s === '' ? 'any' : s}</option>`,
  );
  const day = (ms: number | undefined, endOfDay: boolean) => (ms === undefined ? '' : new Date(endOfDay ? ms - 1 : ms).toISOString().slice(0, 10));
  return html`<form method="get" action="/grants" class="no-print"><fieldset><legend>Filter</legend><div class="filters">
<div><label for="f-status">Status</label><select id="f-status" name="status">${options}</select></div>
<div><label for="f-member">Member id</label><input type="text" id="f-member" name="member" value="${query.memberId ?? ''}"></div>
${showGroup ? html`<div><label for="f-group">Group id</label><input type="text" id="f-group" name="group" value="${query.groupId ?? ''}"></div>` : ''}
<div><label for="f-from">Requested from (date)</label><input type="date" id="f-from" name="from" value="${day(query.from, false)}"></div>
<div><label for="f-to">to (date, inclusive)</label><input type="date" id="f-to" name="to" value="${day(query.to, true)}"></div>
<div><button type="submit" class="plain">Show</button></div>
</div></fieldset></form>`;
}

export function grantsPage(ctx: PageContext, title: string, grants: readonly GrantRecord[], query: GrantQuery, now: number, message?: Message): Html {
  return page(ctx, title, html`${filterForm(query, ctx.staff.role !== 'gsm')}${grantTable(`${grants.length} grant(s), newest request first`, grants, now, ctx)}`, message);
}

/** What an audit event changed: each field whose value differs, `before → after`; the whole record when one side is absent. */
export function describeChange(before: unknown, after: unknown): string {
  const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'updatedAt' && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    return keys.length === 0 ? 'no field changed' : keys.map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`).join('\n');
  }
  const whole = isRecord(after) ? after : isRecord(before) ? before : null;
  if (whole === null) return show(after ?? before);
  return Object.entries(whole).filter(([k, v]) => v !== null && k !== 'updatedAt').map(([k, v]) => `${k}: ${show(v)}`).join('\n');
}

/** A password event's before/after show at most whether there is one (never a hash), so it is said in words. */
function describeEvent(event: AuditEvent): string {
  if (event.action === 'member-passwd') return describePasswordChange(event.before, event.after);
  const change = describeChange(event.before, event.after);
  if (event.action !== 'staff-passwd') return change;
  // A new staff password also lifts a lockout, which does show in before/after.
  return change === 'no field changed' ? 'password changed' : `password changed\n${change}`;
}

function auditTable(caption: string, events: readonly AuditEvent[]): Html {
  if (events.length === 0) return html`<p>${caption}: none.</p>`;
  const rows = events.map(
    (e) => html`<tr><th scope="row">${e.id}</th><td>${formatTime(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.subject}</td><td><pre class="json">${describeEvent(e)}</pre></td></tr>`,
  );
  return html`<table><caption>${caption}</caption>
<thead><tr><th scope="col">Event</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">What changed (before → after)</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export { auditTable };

export function grantPage(ctx: PageContext, grant: GrantRecord, trail: readonly AuditEvent[], history: readonly GrantRecord[], now: number, message?: Message): Html {
  return page(
    ctx,
    `Grant ${grant.id}`,
    html`<dl class="facts">
<dt>Member</dt><dd>${grant.memberId}</dd>
<dt>Scope</dt><dd>${formatScope(grant.scope)}</dd>
<dt>Reason</dt><dd>${grant.reason}</dd>
<dt>Status</dt><dd>${statusText(grant, now)}</dd>
<dt>Asked for</dt><dd>${grant.requestedDays === null ? 'no particular time' : `${grant.requestedDays} days`}</dd>
<dt>Requested</dt><dd>${formatTime(grant.requestedAt)} by ${grant.requestedBy}</dd>
<dt>Decided</dt><dd>${grant.decidedBy === null ? '—' : `${formatTime(grant.decidedAt)} by ${grant.decidedBy}`}</dd>
<dt>Decision note</dt><dd>${grant.decisionNote ?? '—'}</dd>
<dt>Expires</dt><dd>${formatTime(grant.expiresAt)}</dd>
<dt>Revoked</dt><dd>${grant.revokedBy === null ? '—' : `${formatTime(grant.revokedAt)} by ${grant.revokedBy}: ${grant.revokeNote ?? ''}`}</dd>
</dl>
${decisionForms(ctx, grant, now)}
<h2>Audit trail</h2>
${auditTable(`Every change to ${grant.id}, oldest first`, trail)}
<h2>Other requests of ${grant.memberId}</h2>
${grantTable('History', history.filter((g) => g.id !== grant.id), now)}`,
    message,
  );
}

export function newRequestPage(ctx: PageContext, members: readonly { id: string; name: string; groupId: string }[], message?: Message): Html {
  const options = members.map((m) => html`<option value="${m.id}">${m.name} (${m.id}, ${m.groupId})</option>`);
  return page(
    ctx,
    'Enter a request for a member',
    html`<p>For a written request a member made outside wardgate (by letter or email). It is recorded as entered by you and waits for the member's Group Support Manager.</p>
<form method="post" action="/requests">
${csrfField(ctx.csrfToken)}
<label for="r-member">Member</label>
<select id="r-member" name="member" required>${options}</select>
<fieldset><legend>What</legend>
<label for="r-kind">Kind</label>
<select id="r-kind" name="kind"><option value="domain">a site (domain and its subdomains)</option><option value="url">a web address prefix</option><option value="category">a whole category</option></select>
<label for="r-value">Domain, address prefix or category id</label>
<input type="text" id="r-value" name="value" required>
</fieldset>
<label for="r-reason">The member's written reason</label>
<textarea id="r-reason" name="reason" required maxlength="${MAX_REASON_LENGTH}"></textarea>
<label for="r-days">For how long (days, optional)</label>
<input type="number" min="1" id="r-days" name="days">
<div><button type="submit">Enter the request</button></div>
</form>`,
    message,
  );
}
