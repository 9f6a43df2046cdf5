/**
 * The page frame every admin page shares: skip link, site header with the
 * signed-in account and the sign-out form, the navigation for the account's
 * role (with a place for Reports), and one <main>. Every value is escaped by
 * `html`; the only script-like thing on a page is none at all.
 */
import type { StaffRecord } from '../../grants/staff-store.ts';
import { CSRF_FIELD } from '../csrf.ts';
import { html, type Html, type HtmlValue } from '../html.ts';

export interface PageContext {
  readonly staff: StaffRecord;
  readonly csrfToken: string;
  /** The path being shown, to mark the current navigation entry. */
  readonly path: string;
}

export interface Message {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

interface NavEntry {
  readonly href: string;
  readonly label: string;
  readonly roles: readonly StaffRecord['role'][];
}

const NAV: readonly NavEntry[] = [
  { href: '/queue', label: 'Pending requests', roles: ['gsm', 'admin', 'auditor'] },
  { href: '/grants?status=approved', label: 'Active grants', roles: ['gsm', 'admin', 'auditor'] },
  { href: '/grants', label: 'All grants and history', roles: ['gsm', 'admin', 'auditor'] },
  { href: '/requests/new', label: 'Enter a request', roles: ['gsm', 'admin'] },
  { href: '/members', label: 'Members', roles: ['gsm', 'admin', 'auditor'] },
  { href: '/groups', label: 'Groups', roles: ['admin', 'auditor'] },
  { href: '/categories', label: 'Categories', roles: ['gsm', 'admin', 'auditor'] },
  { href: '/staff', label: 'Staff accounts', roles: ['admin'] },
  { href: '/audit', label: 'Audit trail', roles: ['admin', 'auditor'] },
  // The lead wires `wardgate report`'s HTML in here.
  { href: '/reports', label: 'Reports', roles: ['admin', 'auditor'] },
];

const ROLE_LABEL: Readonly<Record<StaffRecord['role'], string>> = { gsm: 'Group Support Manager', admin: 'ICT administrator', auditor: 'Auditor' };

export function roleLabel(staff: StaffRecord): string {
  return staff.role === 'gsm' ? `${ROLE_LABEL.gsm}, group ${staff.groupId}` : ROLE_LABEL[staff.role];
}

/** The hidden CSRF field every form of a signed-in page carries. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

function navigation(ctx: PageContext): Html {
  const current = (href: string) => {
    const [path, query] = href.split('?');
    return path === ctx.path.split('?')[0] && (query === undefined ? !ctx.path.includes('status=approved') : ctx.path.includes(query));
  };
  const items = NAV.filter((n) => n.roles.includes(ctx.staff.role)).map(
    (n) => html`<li><a href="${n.href}"${current(n.href) ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
  );
  return html`<nav class="main" aria-label="Main"><ul>${items}</ul></nav>`;
}

function messageBox(message: Message | undefined): HtmlValue {
  if (message === undefined) return null;
  return html`<div class="message ${message.kind}" role="${message.kind === 'error' ? 'alert' : 'status'}"><p>${message.text}</p></div>`;
}

export function page(ctx: PageContext, title: string, body: HtmlValue, message?: Message): Html {
  return document(
    title,
    html`<header class="site">
  <span class="brand">wardgate admin</span>
  <span class="who">Signed in as ${ctx.staff.name} (${ctx.staff.id}) — ${roleLabel(ctx.staff)}</span>
  <form method="post" action="/logout">${csrfField(ctx.csrfToken)}<button type="submit">Sign out</button></form>
</header>
${navigation(ctx)}
<main id="main">
<h1>${title}</h1>
${messageBox(message)}
${body}
</main>`,
  );
}

/** A page with no signed-in frame (sign-in, errors before sign-in). */
export function bareDocument(title: string, body: HtmlValue, message?: Message): Html {
  return document(title, html`<header class="site"><span class="brand">wardgate admin</span></header>
<main id="main">
<h1>${title}</h1>
${messageBox(message)}
${body}
</main>`);
}

function document(title: string, content: Html): Html {
  return html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — wardgate admin</title>
<link rel="stylesheet" href="/static/admin.css">
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
${content}
</body>
</html>
`;
}
