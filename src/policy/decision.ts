/**
 * Decision: what the policy core says about one request. A block is a value,
 * never an exception. `internal-error` is the fail-closed answer when
 * classification or decision threw.
 */
import type { RuleMatch } from '../classify/classification.ts';

export type DecisionAction = 'allow' | 'block' | 'allow-by-grant';

export type DecisionReason =
  /** No list matched. */
  | 'uncategorised'
  /** Matches only in categories that are not enforced. */
  | 'not-enforced'
  /** At least one enforced category matched and no grant covered it. */
  | 'category'
  /** Every enforced match was covered by the member's active grants. */
  | 'grant'
  /** Classification or decision failed: fail closed. */
  | 'internal-error'
  /** A CONNECT to a port not on the allowed list (set by the proxy, not decide()). */
  | 'port-not-allowed';

export interface Decision {
  readonly action: DecisionAction;
  readonly reason: DecisionReason;
  /** Enforced categories that matched (those that block, or were unlocked by a grant). */
  readonly categories: readonly string[];
  /** The rule that decided: the first uncovered enforced match for a block, the first covered one for a grant. */
  readonly rule: RuleMatch | undefined;
  /** Grants that unlocked the request (allow-by-grant only). */
  readonly grantIds: readonly string[];
}
