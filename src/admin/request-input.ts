/**
 * Reading form fields, query strings and JSON bodies into typed values, with
 * a WF_ERR_INVALID_INPUT (400) that names the field for anything else. The
 * same readers serve the web forms and the API, so both accept and refuse
 * the same input.
 */
import { WfError } from '../errors.ts';
import type { AuditAction } from '../grants/grant-store.ts';
import { parseDateInput } from '../grants/time.ts';
import type { GrantStatus } from '../policy/grants.ts';
import { AUDIT_ACTIONS, GRANT_STATUSES, type AuditQuery, type GrantQuery } from './grant-service.ts';

/** Longest text field accepted at all; the grant rules set tighter limits on reasons and notes. */
const MAX_FIELD_CHARS = 10_000;

export type Fields = Readonly<Record<string, unknown>>;

function invalid(message: string): WfError {
  return new WfError('WF_ERR_INVALID_INPUT', message);
}

/** The body as fields: an object, or nothing (a form with no fields, a bodiless POST). */
export function fieldsOf(body: unknown): Fields {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('the request body must be a form or a JSON object');
  return body as Fields;
}

/** A text field; '' counts as absent. Repeated fields and non-strings are refused. */
export function optionalText(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be text, given once`);
  if (value.length > MAX_FIELD_CHARS) throw invalid(`${name} is too long (at most ${MAX_FIELD_CHARS} characters)`);
  return value;
}

export function requiredText(fields: Fields, name: string): string {
  const value = optionalText(fields, name);
  if (value === undefined || value.trim() === '') throw invalid(`${name} is required`);
  return value;
}

/** A whole number field (text of digits in forms and query strings, a number in JSON). */
export function optionalInt(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw invalid(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
}

/** A date (YYYY-MM-DD, a whole UTC day) or a time with its zone. */
export function optionalDate(fields: Fields, name: string, endOfDay: boolean): number | undefined {
  const text = optionalText(fields, name);
  return text === undefined ? undefined : parseDateInput(text, name, { endOfDay });
}

export function optionalStatus(fields: Fields, name: string): GrantStatus | undefined {
  const text = optionalText(fields, name);
  if (text === undefined) return undefined;
  if (!(GRANT_STATUSES as readonly string[]).includes(text)) throw invalid(`${name} "${text}" is not a grant status: use ${GRANT_STATUSES.join(', ')}`);
  return text as GrantStatus;
}

export function optionalAction(fields: Fields, name: string): AuditAction | undefined {
  const text = optionalText(fields, name);
  if (text === undefined) return undefined;
  if (!(AUDIT_ACTIONS as readonly string[]).includes(text)) throw invalid(`${name} "${text}" is not an audit action: use ${AUDIT_ACTIONS.join(', ')}`);
  return text as AuditAction;
}

export function grantQueryFrom(fields: Fields): GrantQuery {
  return {
    status: optionalStatus(fields, 'status'),
    memberId: optionalText(fields, 'member'),
    groupId: optionalText(fields, 'group'),
    from: optionalDate(fields, 'from', false),
    to: optionalDate(fields, 'to', true),
    limit: optionalInt(fields, 'limit'),
  };
}

export function auditQueryFrom(fields: Fields): AuditQuery {
  return {
    memberId: optionalText(fields, 'member'),
    actor: optionalText(fields, 'actor'),
    action: optionalAction(fields, 'action'),
    from: optionalDate(fields, 'from', false),
    to: optionalDate(fields, 'to', true),
    limit: optionalInt(fields, 'limit'),
  };
}
