/**
 * evaluate(): the sans-IO heart of every request — classify the target, then
 * decide. Synchronous; a throw anywhere inside fails closed as an
 * `internal-error` block carrying the error, so a fault can never let a
 * request through. The proxy, the `classify` command and the tests all call
 * this one function.
 */
import type { Classification } from '../classify/classification.ts';
import { UNCATEGORISED } from '../classify/classification.ts';
import type { Target } from '../classify/target.ts';
import { decide, INTERNAL_ERROR_DECISION } from '../policy/decide.ts';
import type { Decision } from '../policy/decision.ts';
import type { Member } from '../policy/policy-model.ts';
import type { RuntimeSnapshot } from './runtime-snapshot.ts';

const NO_GRANTS: readonly never[] = Object.freeze([]);

export interface Evaluation {
  readonly classification: Classification;
  readonly decision: Decision;
  /** Whether the classification came from the cache. */
  readonly cache: 'hit' | 'miss' | undefined;
  /** The fault behind an `internal-error` block. */
  readonly error?: unknown;
}

export function evaluate(target: Target, member: Member | undefined, snapshot: RuntimeSnapshot, now: number): Evaluation {
  const trace: { cache?: 'hit' | 'miss' } = {};
  let classification: Classification = UNCATEGORISED;
  try {
    classification = snapshot.classifier.classify(target, trace);
    const grants = member === undefined ? NO_GRANTS : (snapshot.grants.get(member.id) ?? NO_GRANTS);
    const decision = decide(classification, target, member, grants, snapshot.policy, now);
    return { classification, decision, cache: trace.cache };
  } catch (error) {
    return { classification, decision: INTERNAL_ERROR_DECISION, cache: trace.cache, error };
  }
}
