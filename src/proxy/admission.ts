/**
 * admit(): the stages every request kind shares, in order —
 *   target (normalise; 400 when unusable) → identify (407 when nobody) →
 *   evaluate (classify + decide, sans-IO, fail closed)
 * and one place that writes the decision line when the request ends.
 * HTTP, CONNECT and Upgrade differ only in what they do with the answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Target } from '../classify/target.ts';
import { canonicalClientAddress } from '../directory/directory-store.ts';
import type { MemberRecord } from '../directory/directory-snapshot.ts';
import { isWfError, WfError } from '../errors.ts';
import { evaluate, type Evaluation } from '../pipeline/evaluate.ts';
import type { RuntimeSnapshot, SnapshotHolder } from '../pipeline/runtime-snapshot.ts';
import { toDecisionRecord, type DecisionRecord, type RequestIdentity, type RequestKind, type RequestOutcome } from '../log/decision-record.ts';
import type { DecisionWriter } from '../log/loggers.ts';
import type { Identify, Identity } from './identify-member.ts';

/**
 * What the proxy tells the monitoring about each request. Implemented by
 * src/metrics (prom-client) and injected, so src/proxy never imports a metrics
 * library. Called on the request path: implementations must be cheap.
 */
/**
 * The `decision` a request is counted under: its decision, `refuse` when it
 * never reached one (400/407), or `self-service` for the proxy's own pages on
 * the reserved host, which are neither allowed nor blocked browsing.
 */
export type MetricsDecision = DecisionRecord['decision'] | 'self-service';

export interface RequestMetrics {
  /** Once per evaluate(): time spent in it, and whether the classification came from the cache. */
  recordClassification(seconds: number, cache: 'hit' | 'miss' | undefined): void;
  /**
   * Once per finished request (recordOutcome). `category` is the decision's
   * first category ('' for none); `error` is the outcome's error code or null.
   */
  recordRequest(kind: RequestKind, decision: MetricsDecision, category: string, seconds: number, error: string | null): void;
  /** A client connection to the proxy listener opened / closed. */
  connectionOpened(): void;
  connectionClosed(): void;
}

export interface AdmissionDeps {
  readonly snapshots: SnapshotHolder;
  readonly identify: Identify;
  /** The decision log: self-service records. */
  readonly decisionLog: Logger;
  /** The decision log: one DecisionRecord per request. */
  readonly writeDecision: DecisionWriter;
  readonly appLog: Logger;
  readonly now: () => number;
  readonly metrics: RequestMetrics;
}

/** Everything known about a request once it has been decided. */
export interface Admitted {
  readonly ok: true;
  readonly request: RequestIdentity;
  readonly target: Target;
  readonly member: MemberRecord;
  readonly evaluation: Evaluation;
  readonly snapshot: RuntimeSnapshot;
  readonly startedAt: number;
}

/** Why a request never reached a decision: the status to answer with and what to say. */
export interface Refused {
  readonly ok: false;
  readonly request: RequestIdentity;
  readonly target: Target | null;
  readonly status: 400 | 407;
  readonly reason: string;
  readonly message: string;
  readonly startedAt: number;
}

export type Admission = Admitted | Refused;

export async function admit(
  deps: AdmissionDeps,
  req: IncomingMessage,
  kind: RequestKind,
  parseTarget: (raw: string) => Target,
): Promise<Admission> {
  const startedAt = performance.now();
  const snapshot = deps.snapshots.current;
  const client = canonicalClientAddress(req.socket.remoteAddress ?? '');
  let request: RequestIdentity = { id: randomUUID(), kind, method: req.method ?? 'GET', client, member: null, via: null };
  let target: Target;
  try {
    target = parseTarget(req.url ?? '');
  } catch (error) {
    if (!isWfError(error, 'WF_ERR_BAD_TARGET')) throw error;
    return { ok: false, request, target: null, status: 400, reason: 'bad-target', message: error.message, startedAt };
  }
  const identity: Identity = await deps.identify(req.headers['proxy-authorization'], client, snapshot.directory);
  if (!identity.ok) {
    const message =
      identity.reason === 'no-credentials'
        ? 'This proxy needs you to sign in with your council user name and password.'
        : identity.reason === 'locked-out'
          ? 'Too many failed sign-ins from this computer. Wait a few minutes, then try again.'
          : 'The user name or password was not accepted.';
    if (identity.reason !== 'no-credentials') {
      deps.appLog.warn({ client, username: identity.username ?? null, reason: identity.reason }, 'proxy sign-in refused');
    }
    return { ok: false, request, target, status: 407, reason: identity.reason, message, startedAt };
  }
  const member = identity.member;
  request = { ...request, member: { id: member.id, groupId: member.groupId }, via: identity.via };
  const classifyStart = performance.now();
  const evaluation = evaluate(target, member, snapshot, deps.now());
  deps.metrics.recordClassification((performance.now() - classifyStart) / 1000, evaluation.cache);
  if (evaluation.error !== undefined) {
    deps.appLog.error({ err: evaluation.error, id: request.id, target: target.url }, 'classification failed: request blocked (fail closed)');
  }
  return { ok: true, request, target, member, evaluation, snapshot, startedAt };
}

/** Writes the decision line for a finished request, refused or decided. */
export function recordOutcome(
  deps: AdmissionDeps,
  admission: Admission,
  outcome: Omit<RequestOutcome, 'durationMs'>,
  evaluation: Evaluation | null = admission.ok ? admission.evaluation : null,
): void {
  const elapsedMs = performance.now() - admission.startedAt;
  const durationMs = Math.round(elapsedMs * 1000) / 1000;
  const version = admission.ok ? admission.snapshot.version : deps.snapshots.current.version;
  const refusal = admission.ok ? undefined : admission.reason;
  const decision = evaluation?.decision;
  deps.metrics.recordRequest(admission.request.kind, decision?.action ?? 'refuse', decision?.categories[0] ?? '', elapsedMs / 1000, outcome.error);
  deps.writeDecision(toDecisionRecord(admission.request, admission.target, evaluation, version, { ...outcome, durationMs }, refusal));
}

export function errorCodeOf(error: unknown): string {
  if (error instanceof WfError) return error.code;
  return (error as { code?: string } | null)?.code ?? 'WF_ERR_INTERNAL';
}
