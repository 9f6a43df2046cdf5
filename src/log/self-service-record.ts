/**
 * SelfServiceRecord v1 (`type: "self-service"`): one decision-log line per
 * request to the member's self-service pages (the reserved host, e.g.
 * `wardgate.invalid`). wardgate answers these itself: nothing is classified
 * or forwarded, so they are neither allowed nor blocked and get their own
 * line type rather than a DecisionRecord with a made-up decision. Readers
 * that count decisions skip them by `type`, as they skip staff lines.
 *
 * The member's written reason is not copied here (it can hold personal
 * details); `grant` points at the request, whose audit event keeps it.
 */
import type { RequestIdentity } from './decision-record.ts';

export const SELF_SERVICE_RECORD_VERSION = 1;

/**
 * What the page did: `list` (the member's requests shown), `request` (a
 * request stored), `invalid` (a submission refused as incomplete or wrong:
 * 400/409), `forbidden` (token or origin check failed, or the content can
 * never be granted: 403), `refused` (nobody identified: 407), `not-found`,
 * `method-not-allowed`, `error` (the store failed: 500).
 */
export type SelfServiceAction = 'list' | 'request' | 'invalid' | 'forbidden' | 'refused' | 'not-found' | 'method-not-allowed' | 'error';

/** What the self-service page did with one request (the record's own part). */
export interface SelfServiceOutcome {
  /** The reserved host as requested. */
  readonly host: string;
  /** Path only: the query is dropped. */
  readonly path: string;
  readonly action: SelfServiceAction;
  readonly status: number;
  /** The grant request stored (`request`), else null. */
  readonly grant: string | null;
  /** A WF_ERR_… code, or a short reason (`bad-token`, `bad-origin`), when the page refused; else null. */
  readonly error: string | null;
  readonly durationMs: number;
}

export interface SelfServiceRecord extends SelfServiceOutcome {
  readonly v: typeof SELF_SERVICE_RECORD_VERSION;
  readonly type: 'self-service';
  readonly id: string;
  readonly member: string | null;
  readonly group: string | null;
  readonly via: 'password' | 'address' | null;
  readonly client: string;
  readonly method: string;
}

export function toSelfServiceRecord(request: RequestIdentity, outcome: SelfServiceOutcome): SelfServiceRecord {
  return {
    v: SELF_SERVICE_RECORD_VERSION,
    type: 'self-service',
    id: request.id,
    member: request.member?.id ?? null,
    group: request.member?.groupId ?? null,
    via: request.via,
    client: request.client,
    method: request.method,
    host: outcome.host,
    path: outcome.path,
    action: outcome.action,
    status: outcome.status,
    grant: outcome.grant,
    error: outcome.error,
    durationMs: outcome.durationMs,
  };
}
