/**
 * Email addresses of members and staff, for notifications (src/notify). One
 * check used by the directory, the staff store and the CLI, so an address
 * that cannot be sent to never reaches the store. Deliberately plain: one
 * `local@domain` mailbox, no display names, comments or lists, because the
 * address is put into an SMTP envelope and a header as it is.
 */
import { domainToASCII } from 'node:url';
import { WfError } from '../errors.ts';

export const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit

const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;
const LABEL_RE = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A valid mailbox (trimmed, domain lower-cased), or null for "no email" when
 * given null, undefined or an empty string. WF_ERR_INVALID_INPUT otherwise,
 * naming what is wrong.
 */
export function checkEmail(text: unknown): string | null {
  if (text === undefined || text === null) return null;
  const email = typeof text === 'string' ? text.trim() : '';
  if (typeof text === 'string' && email === '') return null;
  const at = email.lastIndexOf('@');
  const local = at > 0 ? email.slice(0, at) : '';
  const domain = at > 0 ? domainToASCII(email.slice(at + 1)) : '';
  const labels = domain.split('.');
  const valid =
    email.length <= MAX_EMAIL_LENGTH &&
    LOCAL_RE.test(local) &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    labels.length >= 2 &&
    labels.every((label) => LABEL_RE.test(label));
  if (!valid) {
    throw new WfError('WF_ERR_INVALID_INPUT', `"${String(text).slice(0, 80)}" is not an email address: give one mailbox like name@council.example.gov.uk`);
  }
  return `${local}@${domain}`;
}
