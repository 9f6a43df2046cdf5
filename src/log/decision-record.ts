/**
 * DecisionRecord v1: one line per request decided, the evidence auditors read.
 * Built by one function so every path (HTTP, CONNECT, Upgrade, refusals)
 * writes the same shape. `time` is added by pino (epoch ms).
 */
import type { Evaluation } from '../pipeline/evaluate.ts';
import type { Target } from '../classify/target.ts';

export const DECISION_RECORD_VERSION = 1;

export type RequestKind = 'http' | 'connect' | 'upgrade';

export interface DecisionRecord {
  readonly v: typeof DECISION_RECORD_VERSION;
  /** Request id, also shown on block and error pages. */
  readonly id: string;
  readonly kind: RequestKind;
  readonly member: string | null;
  readonly group: string | null;
  /** How the member was identified. */
  readonly via: 'password' | 'address' | null;
  readonly client: string;
  readonly method: string;
  /** Canonical target URL (`https://host[:port]` for CONNECT). */
  readonly target: string;
  readonly host: string;
  /** `refuse`: no member identified (407), or the request was unusable (400). */
  readonly decision: 'allow' | 'block' | 'allow-by-grant' | 'refuse';
  readonly reason: string;
  readonly categories: readonly string[];
  /** The rule that decided, as `list kind entry (file:line)` parts. */
  readonly rule: { list: string; kind: string; entry: string; file: string; line: number } | null;
  readonly grants: readonly string[];
  /** Status the client got; 200 for an established tunnel; 0 when the connection failed before any answer. */
  readonly status: number;
  /** Request body bytes from the client (tunnels: bytes client → upstream). */
  readonly bytesIn: number;
  /** Response body bytes to the client (tunnels: bytes upstream → client). */
  readonly bytesOut: number;
  readonly durationMs: number;
  readonly cache: 'hit' | 'miss' | null;
  readonly snapshot: number;
  /** Error code when the request failed or an internal error forced a block. */
  readonly error: string | null;
}

export interface RequestOutcome {
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly durationMs: number;
  readonly error: string | null;
}

export interface RequestIdentity {
  readonly id: string;
  readonly kind: RequestKind;
  readonly method: string;
  readonly client: string;
  readonly member: { id: string; groupId: string } | null;
  readonly via: 'password' | 'address' | null;
}

export function toDecisionRecord(
  request: RequestIdentity,
  target: Target | null,
  evaluation: Evaluation | null,
  snapshotVersion: number,
  outcome: RequestOutcome,
  refusal?: string,
): DecisionRecord {
  const decision = evaluation?.decision;
  const rule = decision?.rule;
  return {
    v: DECISION_RECORD_VERSION,
    id: request.id,
    kind: request.kind,
    member: request.member?.id ?? null,
    group: request.member?.groupId ?? null,
    via: request.via,
    client: request.client,
    method: request.method,
    target: target?.url ?? '',
    host: target?.host ?? '',
    decision: decision?.action ?? 'refuse',
    reason: refusal ?? decision?.reason ?? 'refused',
    categories: decision?.categories ?? [],
    rule: rule === undefined ? null : { list: rule.list, kind: rule.kind, entry: rule.entry, file: rule.file, line: rule.line },
    grants: decision?.grantIds ?? [],
    status: outcome.status,
    bytesIn: outcome.bytesIn,
    bytesOut: outcome.bytesOut,
    durationMs: outcome.durationMs,
    cache: evaluation?.cache ?? null,
    snapshot: snapshotVersion,
    error: outcome.error ?? (evaluation?.error === undefined ? null : errorCode(evaluation.error)),
  };
}

function errorCode(error: unknown): string {
  return (error as { code?: string } | null)?.code ?? 'WF_ERR_INTERNAL';
}
