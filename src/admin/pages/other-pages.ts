/**
 * The remaining admin pages: sign-in, errors, the audit trail with its
 * filters, members, groups, staff accounts (administrators manage them
 * here) and the auditors' report.
 */
import type { GroupRecord } from '../../directory/directory-snapshot.ts';
import type { AuditEvent } from '../../grants/grant-store.ts';
import type { StaffRecord } from '../../grants/staff-store.ts';
import type { CategoryView } from '../category-settings-routes.ts';
import { CSRF_FIELD } from '../csrf.ts';
import { AUDIT_ACTIONS, type AuditQuery } from '../grant-service.ts';
import { html, raw, type Html } from '../html.ts';
import { formatTime } from './format.ts';
import { auditTable } from './grant-pages.ts';
import { bareDocument, csrfField, page, type Message, type PageContext } from './layout.ts';

export function loginPage(loginToken: string, message?: Message, userId = ''): Html {
  return bareDocument(
    'Sign in',
    html`<p>For Group Support Managers, ICT administrators and auditors.</p>
<form method="post" action="/login">
<input type="hidden" name="${CSRF_FIELD}" value="${loginToken}">
<label for="user">User name</label>
<input type="text" id="user" name="user" autocomplete="username" required value="${userId}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div><button type="submit">Sign in</button></div>
</form>`,
    message,
  );
}

export function errorPage(ctx: PageContext | null, status: number, text: string): Html {
  const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 409 ? 'Already changed' : status >= 500 ? 'Something went wrong' : 'Cannot do that';
  const body = html`<p><a href="/">Back to the start page</a></p>`;
  return ctx === null ? bareDocument(title, body, { kind: 'error', text }) : page(ctx, title, body, { kind: 'error', text });
}

export function auditPage(ctx: PageContext, events: readonly AuditEvent[], query: AuditQuery, message?: Message): Html {
  const options = ['', ...AUDIT_ACTIONS].map((a) => html`<option value="${a}"${(query.action ?? '') === a ? html` selected` : ''}>${a === '' ? 'any' : a}</option>`);
  const day = (ms: number | undefined, endOfDay: boolean) => (ms === undefined ? '' : new Date(endOfDay ? ms - 1 : ms).toISOString().slice(0, 10));
  return page(
    ctx,
    'Audit trail',
    html`<form method="get" action="/audit" class="no-print"><fieldset><legend>Filter</legend><div class="filters">
<div><label for="a-member">Member id</label><input type="text" id="a-member" name="member" value="${query.memberId ?? ''}"></div>
<div><label for="a-actor">Actor</label><p class="hint" id="a-actor-hint">staff:ID, member:ID, cli:USER or system</p><input type="text" id="a-actor" name="actor" aria-describedby="a-actor-hint" value="${query.actor ?? ''}"></div>
<div><label for="a-action">Action</label><select id="a-action" name="action">${options}</select></div>
<div><label for="a-from">From (date)</label><input type="date" id="a-from" name="from" value="${day(query.from, false)}"></div>
<div><label for="a-to">To (date, inclusive)</label><input type="date" id="a-to" name="to" value="${day(query.to, true)}"></div>
<div><button type="submit" class="plain">Show</button></div>
</div></fieldset></form>
${auditTable(`${events.length} event(s), oldest first`, events)}`,
    message,
  );
}

function staffState(s: StaffRecord, now: number): string {
  if (s.disabled) return 'disabled';
  if (s.lockedUntil !== null && now < s.lockedUntil) return `locked until ${formatTime(s.lockedUntil)}`;
  return 'enabled';
}

export function staffPage(ctx: PageContext, staff: readonly StaffRecord[], groups: readonly GroupRecord[], now: number, message?: Message): Html {
  const rows = staff.map((s) => html`<tr>
<th scope="row">${s.id}</th><td>${s.name}</td><td>${s.role}</td><td>${s.groupId ?? '—'}</td><td>${s.memberId ?? '—'}</td><td>${staffState(s, now)}</td>
<td>${s.id === ctx.staff.id ? 'you' : html`<form method="post" action="/staff/${s.id}/${s.disabled ? 'enable' : 'disable'}" class="inline">${csrfField(ctx.csrfToken)}<button type="submit" class="${s.disabled ? 'plain' : 'warn'}" aria-label="${s.disabled ? 'Enable' : 'Disable'} ${s.id}">${s.disabled ? 'Enable' : 'Disable'}</button></form>`}
<form method="post" action="/staff/${s.id}/password" class="inline">${csrfField(ctx.csrfToken)}<input type="hidden" name="username" autocomplete="username" value="${s.id}"><label for="pw-${s.id}">New password for ${s.id}</label><input type="password" id="pw-${s.id}" name="password" autocomplete="new-password" minlength="8"><button type="submit" class="plain">Set password</button></form></td>
</tr>`);
  const groupOptions = groups.map((g) => html`<option value="${g.id}">${g.name} (${g.id})</option>`);
  return page(
    ctx,
    'Staff accounts',
    html`<table><caption>${staff.length} account(s)</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Group</th><th scope="col">Also member</th><th scope="col">State</th><th scope="col"><span class="no-print">Actions</span></th></tr></thead>
<tbody>${rows}</tbody></table>
<form method="post" action="/staff" class="no-print">
${csrfField(ctx.csrfToken)}
<fieldset><legend>Add a staff account</legend>
<label for="s-id">User name (id)</label><input type="text" id="s-id" name="id" required>
<label for="s-name">Full name</label><input type="text" id="s-name" name="name">
<label for="s-role">Role</label><select id="s-role" name="role"><option value="gsm">Group Support Manager</option><option value="admin">ICT administrator</option><option value="auditor">Auditor</option></select>
<label for="s-group">Group (Group Support Managers only)</label><select id="s-group" name="group"><option value="">none</option>${groupOptions}</select>
<label for="s-member">Also member id (optional: they can never decide their own request)</label><input type="text" id="s-member" name="member">
<label for="s-password">Password (at least 8 characters)</label><input type="password" id="s-password" name="password" autocomplete="new-password" required minlength="8">
<div><button type="submit">Add account</button></div>
</fieldset></form>`,
    message,
  );
}

/** The report filters as typed on the form (and put back into it). */
export interface ReportFormValues {
  readonly from: string;
  readonly to: string;
  readonly member: string;
  readonly group: string;
  readonly category: string;
  readonly decision: string;
}

/** The filters as a query string, for the download links (the same report in another format). */
export function reportQuery(values: ReportFormValues, format: string): string {
  const params = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(values)) if (value !== '') params.set(key, value);
  return params.toString();
}

/**
 * The auditors' report (the same as `wardgate report`): its filters, links to
 * download it as CSV, JSON or one HTML file, and the report itself, whose
 * markup (`reportBody`, from src/report, every log value escaped there) is
 * placed as it is.
 */
export function reportsPage(ctx: PageContext, values: ReportFormValues, reportBody: string | null, message?: Message): Html {
  const decisions = ['', 'allow', 'block', 'allow-by-grant', 'refuse'].map(
    (d) => html`<option value="${d}"${values.decision === d ? html` selected` : ''}>${d === '' ? 'any' : d}</option>`,
  );
  const downloads = ['csv', 'json', 'html'].map((f) => html`<a href="/reports/download?${reportQuery(values, f)}">${f.toUpperCase()}</a>`);
  return page(
    ctx,
    'Reports',
    html`<form method="get" action="/reports" class="no-print"><fieldset><legend>Filter</legend><div class="filters">
<div><label for="r-from">From (date)</label><input type="date" id="r-from" name="from" value="${values.from}"></div>
<div><label for="r-to">To (date, inclusive)</label><input type="date" id="r-to" name="to" value="${values.to}"></div>
<div><label for="r-member">Member ids</label><p class="hint" id="r-member-hint">separate several with commas</p><input type="text" id="r-member" name="member" aria-describedby="r-member-hint" value="${values.member}"></div>
<div><label for="r-group">Group ids</label><input type="text" id="r-group" name="group" value="${values.group}"></div>
<div><label for="r-category">Category ids</label><input type="text" id="r-category" name="category" value="${values.category}"></div>
<div><label for="r-decision">Decision</label><select id="r-decision" name="decision">${decisions}</select></div>
<div><button type="submit" class="plain">Show</button></div>
</div></fieldset></form>
${reportBody === null ? '' : html`<p class="no-print">Download this report: ${downloads.flatMap((link, i) => (i === 0 ? [link] : [', ', link]))}.</p>
${raw(reportBody)}`}`,
    message,
  );
}

function yesNo(value: boolean, yes: string, no: string): string {
  return value ? yes : no;
}

function settingSelect(name: 'enforced' | 'grantable', id: string, current: boolean | null, fallback: boolean | undefined): Html {
  const label = name === 'enforced' ? 'Enforced' : 'Grantable';
  const def = fallback === undefined ? 'default' : `default (${yesNo(fallback, 'yes', 'no')})`;
  const option = (value: string, text: string, selected: boolean) => html`<option value="${value}"${selected ? raw(' selected') : ''}>${text}</option>`;
  return html`<label for="${name}-${id}">${label}</label><select id="${name}-${id}" name="${name}">${option('default', def, current === null)}${option('yes', 'yes', current === true)}${option('no', 'no', current === false)}</select>`;
}

export function categoriesPage(ctx: PageContext, categories: readonly CategoryView[], editable: boolean, message?: Message): Html {
  const rows = [...categories]
    .sort((a, b) => Number(a.serving.optional) - Number(b.serving.optional) || a.serving.id.localeCompare(b.serving.id))
    .map(({ serving: c, base, setting }) => {
      const changed = setting === null ? 'default' : html`${setting.updatedBy}, ${formatTime(setting.updatedAt)}`;
      const form = editable
        ? html`<td><form method="post" action="/categories/${c.id}" class="inline">${csrfField(ctx.csrfToken)}${settingSelect('enforced', c.id, setting?.enforced ?? null, base?.enforced)} ${settingSelect('grantable', c.id, setting?.grantable ?? null, base?.grantable)} <button type="submit" class="plain" aria-label="Save ${c.id}">Save</button></form></td>`
        : '';
      return html`<tr><th scope="row">${c.id}</th><td>${c.title}</td><td>${c.enforced ? 'blocks' : 'off'}</td><td>${c.grantable ? 'yes' : 'never'}</td><td>${c.optional ? 'optional' : 'core'}</td><td>${changed}</td>${form}<td>${c.definition}</td></tr>`;
    });
  return page(
    ctx,
    'Categories',
    html`<p>What the proxy blocks, and what a Group Support Manager may grant. Set in the category folders' <code>meta.json</code> and the configuration (<code>categories.&lt;id&gt;.enforced</code>, <code>.grantable</code>); an administrator's setting here wins over both and applies within a second. A category its <code>meta.json</code> marks non-grantable stays so, and lists inside a category can be non-grantable on their own (for example child abuse material under <code>illegal</code>): no grant ever unlocks them.</p>
<table><caption>${categories.length} categories, as the proxy serves them now</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Enforced</th><th scope="col">Grantable</th><th scope="col">Kind</th><th scope="col">Set here by</th>${editable ? html`<th scope="col">Change</th>` : ''}<th scope="col">Definition</th></tr></thead>
<tbody>${rows}</tbody></table>`,
    message,
  );
}
