/**
 * The member directory pages: the member list (with the add form for
 * administrators), one member's edit page, and the group list (with add,
 * rename and remove for administrators). GSMs and auditors see the same
 * lists without any form; the server checks the role again on every POST.
 */
import type { GroupRecord, MemberRecord } from '../../directory/directory-snapshot.ts';
import { MIN_PASSWORD_LENGTH } from '../../directory/password.ts';
import { html, type Html } from '../html.ts';
import { csrfField, page, type Message, type PageContext } from './layout.ts';

/** What an administrator typed into the add-member form, put back when it is refused (never the password). */
export interface MemberFormValues {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly ips: string;
  readonly email: string;
}

export const EMPTY_MEMBER_FORM: MemberFormValues = { id: '', name: '', group: '', ips: '', email: '' };

export interface GroupFormValues {
  readonly id: string;
  readonly name: string;
}

export const EMPTY_GROUP_FORM: GroupFormValues = { id: '', name: '' };

const IPS_HINT = 'single addresses such as 192.0.2.10 or 2001:db8::10, separated by spaces, commas or new lines; leave empty for none';

function groupOptions(groups: readonly GroupRecord[], selected: string): Html[] {
  return groups.map((g) => html`<option value="${g.id}"${g.id === selected ? html` selected` : ''}>${g.name} (${g.id})</option>`);
}

function memberRow(ctx: PageContext, m: MemberRecord): Html {
  const id = ctx.staff.role === 'admin' ? html`<a href="/members/${encodeURIComponent(m.id)}" aria-label="Edit member ${m.id}">${m.id}</a>` : m.id;
  return html`<tr><th scope="row">${id}</th><td>${m.name}</td><td>${m.groupId}</td><td>${m.passwordHash === null ? 'no' : 'yes'}</td><td>${m.ips.join(', ') || '—'}</td><td>${m.email ?? '—'}</td><td><a href="/grants?member=${encodeURIComponent(m.id)}">requests and grants</a></td></tr>`;
}

function addMemberForm(ctx: PageContext, groups: readonly GroupRecord[], values: MemberFormValues): Html {
  return html`<form method="post" action="/members" class="no-print">
${csrfField(ctx.csrfToken)}
<fieldset><legend>Add a member</legend>
<label for="m-id">Member id (also their proxy user name)</label><p class="hint" id="m-id-hint">lower case a-z, 0-9, '.', '_' and '-'</p><input type="text" id="m-id" name="id" aria-describedby="m-id-hint" required value="${values.id}">
<label for="m-name">Full name</label><input type="text" id="m-name" name="name" required value="${values.name}">
<label for="m-group">Group</label><select id="m-group" name="group" required><option value="">choose a group</option>${groupOptions(groups, values.group)}</select>
<label for="m-password">Proxy password (optional)</label><p class="hint" id="m-password-hint">at least ${MIN_PASSWORD_LENGTH} characters; leave empty if the member is known by address only</p><input type="password" id="m-password" name="password" autocomplete="new-password" aria-describedby="m-password-hint">
<label for="m-ips">Client addresses (optional)</label><p class="hint" id="m-ips-hint">${IPS_HINT}</p><textarea id="m-ips" name="ips" aria-describedby="m-ips-hint">${values.ips}</textarea>
<label for="m-email">Email (optional: where decisions on their requests are sent)</label><input type="text" id="m-email" name="email" autocomplete="off" value="${values.email}">
<div><button type="submit">Add member</button></div>
</fieldset></form>`;
}

export function membersPage(
  ctx: PageContext,
  members: readonly MemberRecord[],
  groups: readonly GroupRecord[],
  message?: Message,
  form: MemberFormValues = EMPTY_MEMBER_FORM,
): Html {
  const admin = ctx.staff.role === 'admin';
  const intro = admin
    ? html`<p>Select a member's id to change their name, group, email, proxy password or client addresses, or to remove them. Changes reach the running proxy within a second.</p>`
    : html`<p>Members are managed by the ICT administrators.</p>`;
  return page(
    ctx,
    'Members',
    html`${intro}
<table><caption>${members.length} member(s)${ctx.staff.role === 'gsm' ? ` of group ${ctx.staff.groupId}` : ''}</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Group</th><th scope="col">Proxy password</th><th scope="col">Client addresses</th><th scope="col">Email</th><th scope="col">History</th></tr></thead>
<tbody>${members.map((m) => memberRow(ctx, m))}</tbody></table>
${admin ? addMemberForm(ctx, groups, form) : ''}`,
    message,
  );
}

/** One member, with a form per change (administrators only). */
export function memberPage(ctx: PageContext, member: MemberRecord, groups: readonly GroupRecord[], message?: Message): Html {
  const base = `/members/${encodeURIComponent(member.id)}`;
  const token = csrfField(ctx.csrfToken);
  return page(
    ctx,
    `Member ${member.id}`,
    html`<p><a href="/members">All members</a> · <a href="/grants?member=${encodeURIComponent(member.id)}">${member.id}'s requests and grants</a></p>
<form method="post" action="${base}" class="no-print">${token}
<fieldset><legend>Details</legend>
<label for="e-name">Full name</label><input type="text" id="e-name" name="name" required value="${member.name}">
<label for="e-group">Group</label><select id="e-group" name="group" required>${groupOptions(groups, member.groupId)}</select>
<label for="e-email">Email (leave empty for none)</label><input type="text" id="e-email" name="email" autocomplete="off" value="${member.email ?? ''}">
<div><button type="submit">Save details</button></div>
</fieldset></form>
<form method="post" action="${base}/password" class="no-print">${token}
<fieldset><legend>Proxy password</legend>
<p>The member ${member.passwordHash === null ? html`has <strong>no</strong> proxy password` : html`has a proxy password`}.</p>
<input type="hidden" name="username" autocomplete="username" value="${member.id}">
<label for="e-password">New proxy password</label><p class="hint" id="e-password-hint">at least ${MIN_PASSWORD_LENGTH} characters</p><input type="password" id="e-password" name="password" autocomplete="new-password" aria-describedby="e-password-hint">
<div><button type="submit">Set password</button></div>
</fieldset></form>
${member.passwordHash === null ? '' : html`<form method="post" action="${base}/password/clear" class="no-print">${token}<button type="submit" class="warn">Clear the proxy password</button> <span class="hint">the member can then browse only from a registered address</span></form>`}
<form method="post" action="${base}/addresses" class="no-print">${token}
<fieldset><legend>Client addresses</legend>
<label for="e-ips">Addresses that identify ${member.id} without a password</label><p class="hint" id="e-ips-hint">${IPS_HINT}</p><textarea id="e-ips" name="ips" aria-describedby="e-ips-hint">${member.ips.join('\n')}</textarea>
<div><button type="submit">Save addresses</button></div>
</fieldset></form>
<form method="post" action="${base}/remove" class="no-print">${token}
<fieldset><legend>Remove</legend>
<p>A member with exclusion grants on record cannot be removed (the grants and their audit trail must keep naming them): clear their addresses and password instead.</p>
<button type="submit" class="warn">Remove member ${member.id}</button>
</fieldset></form>`,
    message,
  );
}

export function groupsPage(
  ctx: PageContext,
  groups: readonly GroupRecord[],
  counts: ReadonlyMap<string, number>,
  gsms: ReadonlyMap<string, string[]>,
  message?: Message,
  form: GroupFormValues = EMPTY_GROUP_FORM,
): Html {
  const admin = ctx.staff.role === 'admin';
  const token = csrfField(ctx.csrfToken);
  const actions = (g: GroupRecord) => {
    if (!admin) return '';
    const base = `/groups/${encodeURIComponent(g.id)}`;
    return html`<td class="no-print"><form method="post" action="${base}" class="inline">${token}<label for="g-rename-${g.id}">New name for ${g.id}</label><input type="text" id="g-rename-${g.id}" name="name" required value="${g.name}"><button type="submit" class="plain">Rename</button></form>
<form method="post" action="${base}/remove" class="inline">${token}<button type="submit" class="warn" aria-label="Remove group ${g.id}">Remove</button></form></td>`;
  };
  const rows = groups.map(
    (g) => html`<tr><th scope="row">${g.id}</th><td>${g.name}</td><td>${counts.get(g.id) ?? 0}</td><td>${(gsms.get(g.id) ?? []).join(', ') || 'none'}</td>${actions(g)}</tr>`,
  );
  return page(
    ctx,
    'Groups',
    html`<p>${admin ? 'A group with members or Group Support Managers cannot be removed: move or remove them first.' : 'Groups are managed by the ICT administrators.'}</p>
<table><caption>${groups.length} group(s)</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Members</th><th scope="col">Group Support Managers</th>${admin ? html`<th scope="col" class="no-print">Actions</th>` : ''}</tr></thead>
<tbody>${rows}</tbody></table>
${admin
  ? html`<form method="post" action="/groups" class="no-print">${token}
<fieldset><legend>Add a group</legend>
<label for="g-id">Group id</label><p class="hint" id="g-id-hint">lower case a-z, 0-9, '.', '_' and '-'</p><input type="text" id="g-id" name="id" aria-describedby="g-id-hint" required value="${form.id}">
<label for="g-name">Name</label><input type="text" id="g-name" name="name" required value="${form.name}">
<div><button type="submit">Add group</button></div>
</fieldset></form>`
  : ''}`,
    message,
  );
}
