/**
 * decide(): classification + member + grants + policy + now → Decision.
 * Pure and synchronous: grants arrive as an in-memory array, `now` is passed
 * in (never Date.now()), so the truth table is testable to the millisecond.
 */
import type { Classification, RuleMatch } from '../classify/classification.ts';
import type { Target } from '../classify/target.ts';
import type { Decision } from './decision.ts';
import { covers, isActive, type Grant } from './grants.ts';
import type { Member, Policy } from './policy-model.ts';

const NO_IDS: readonly string[] = Object.freeze([]);

const ALLOW_UNCATEGORISED: Decision = Object.freeze({
  action: 'allow',
  reason: 'uncategorised',
  categories: NO_IDS,
  rule: undefined,
  grantIds: NO_IDS,
});

export function decide(
  classification: Classification,
  target: Target,
  member: Member | undefined,
  grants: readonly Grant[],
  policy: Policy,
  now: number,
): Decision {
  if (classification.matches.length === 0) return ALLOW_UNCATEGORISED;

  const enforced: RuleMatch[] = [];
  for (const match of classification.matches) {
    const category = policy.categories.get(match.category);
    if (category?.enforced) enforced.push(category.grantable ? match : { ...match, grantable: false });
  }
  if (enforced.length === 0) {
    return { action: 'allow', reason: 'not-enforced', categories: NO_IDS, rule: undefined, grantIds: NO_IDS };
  }

  const categories = distinctCategories(enforced);
  const active = member === undefined ? [] : grants.filter((g) => g.memberId === member.id && isActive(g, now));
  const grantIds: string[] = [];
  let firstCovered: RuleMatch | undefined;
  for (const match of enforced) {
    const grant = active.find((g) => covers(g, match, target));
    if (grant === undefined) {
      return { action: 'block', reason: 'category', categories, rule: match, grantIds: NO_IDS };
    }
    firstCovered ??= match;
    if (!grantIds.includes(grant.id)) grantIds.push(grant.id);
  }
  return { action: 'allow-by-grant', reason: 'grant', categories, rule: firstCovered, grantIds };
}

/** Fail-closed answer for a fault in classification or decision. */
export const INTERNAL_ERROR_DECISION: Decision = Object.freeze({
  action: 'block',
  reason: 'internal-error',
  categories: NO_IDS,
  rule: undefined,
  grantIds: NO_IDS,
});

function distinctCategories(matches: readonly RuleMatch[]): string[] {
  const out: string[] = [];
  for (const m of matches) if (!out.includes(m.category)) out.push(m.category);
  return out;
}
