/**
 * The text of each notification, pure so it can be read and tested on its
 * own. Plain text, short, and deliberately without free text or secrets:
 * no member's reason or decision note (they can hold personal details, and
 * email is the least protected place they could go; they are on the pages
 * behind sign-in), and no URL query strings (a `url:` scope is cut at `?`:
 * queries carry search terms and tokens).
 */
import type { GrantScope } from '../policy/grants.ts';
import type { Mail } from './mail.ts';

export interface RequestFacts {
  readonly grantId: string;
  readonly scope: GrantScope;
  readonly requestedDays: number | null;
  readonly requestedAt: number;
  readonly member: { readonly id: string; readonly name: string };
  readonly groupName: string;
}

export interface Recipient {
  readonly id: string;
  readonly email: string;
}

const FOOTER = '\n-- \nSent by wardgate, the council web proxy. Please do not reply to this email.\n';

/** To the Group Support Manager(s) of the member's group: a member asked for access. */
export function requestSubmittedMail(facts: RequestFacts, gsms: readonly Recipient[]): Mail {
  const days = facts.requestedDays === null ? '' : `\n  for ${plural(facts.requestedDays, 'day')}`;
  const text = `${facts.member.name} (${facts.member.id}), a member of the ${facts.groupName} group, has asked for access to:

  ${scopeText(facts.scope)}${days}

Request ${facts.grantId}, made ${formatTime(facts.requestedAt)}.

Please read the member's reason and decide in the wardgate admin pages, or at the command line:
  wardgate grants approve ${facts.grantId} --by YOUR-ID --days N --note "..."
  wardgate grants decline ${facts.grantId} --by YOUR-ID --note "..."
${FOOTER}`;
  return {
    to: gsms.map((g) => g.email),
    subject: `wardgate: ${facts.member.name} (${facts.groupName}) asks for access`,
    text,
    about: { kind: 'request', grant: facts.grantId, recipients: gsms.map((g) => `staff:${g.id}`) },
  };
}

export interface DecisionFacts {
  readonly kind: 'approve' | 'decline' | 'revoke';
  readonly grantId: string;
  readonly scope: GrantScope;
  readonly requestedAt: number;
  /** When the decision or revocation was made. */
  readonly at: number;
  /** Who decided, as the member should read it: "your Group Support Manager, Pat Jones", "ICT". */
  readonly by: string;
  /** Approve: until when the access lasts. */
  readonly expiresAt: number | null;
  readonly member: { readonly id: string; readonly name: string };
  /** The member's requests page (self-service), or null when it is off. */
  readonly requestsUrl: string | null;
}

/** To the member: their request was approved or declined, or their access revoked. */
export function decisionMail(facts: DecisionFacts, to: Recipient): Mail {
  const what = scopeText(facts.scope);
  const asked = `your request of ${formatTime(facts.requestedAt)} for access to\n\n  ${what}\n\n`;
  const line =
    facts.kind === 'approve'
      ? `${capital(facts.by)} approved ${asked}on ${formatTime(facts.at)}. You can use it through the council proxy until ${formatTime(facts.expiresAt ?? facts.at)}.`
      : facts.kind === 'decline'
        ? `${capital(facts.by)} declined ${asked}on ${formatTime(facts.at)}.`
        : `Your access to\n\n  ${what}\n\nwas revoked by ${facts.by} on ${formatTime(facts.at)}. It is blocked again from now on.`;
  const more =
    facts.requestsUrl === null
      ? 'Any note from your Group Support Manager is in the record they keep; ask them if you need it.'
      : `Any note from them, and all your requests, are on your requests page (open it in a browser that uses the council proxy):\n  ${facts.requestsUrl}`;
  const subject = facts.kind === 'approve' ? 'approved' : facts.kind === 'decline' ? 'declined' : 'access revoked';
  return {
    to: [to.email],
    subject: `wardgate: your request for access: ${subject}`,
    text: `Dear ${facts.member.name},\n\n${line}\n\n${more}\n\nReference: ${facts.grantId}\n${FOOTER}`,
    about: { kind: facts.kind, grant: facts.grantId, recipients: [`member:${to.id}`] },
  };
}

/** A scope in words, with any query string of a URL prefix left out. */
export function scopeText(scope: GrantScope): string {
  switch (scope.kind) {
    case 'category':
      return `every site in the category ${scope.category}`;
    case 'domain':
      return `the site ${scope.domain} and its subdomains`;
    case 'url': {
      const query = scope.prefix.indexOf('?');
      return query === -1 ? `addresses starting ${scope.prefix}` : `addresses starting ${scope.prefix.slice(0, query)} (with a query, not shown here)`;
    }
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const TIME_FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

function formatTime(at: number): string {
  return `${TIME_FORMAT.format(at)} UTC`;
}
