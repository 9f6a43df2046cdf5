/**
 * What can never be granted, read from the compiled category lists: the
 * `nonGrantableReason(scope)` that grant-rules.ts takes as input, and the
 * GrantPolicy built around it. Built from the same Policy and Classifier the
 * proxy decides with, so "non-grantable" means the same thing at request,
 * approval and decision time.
 *
 * - category scope: the category is marked non-grantable (meta.json or the
 *   `categories.<id>.grantable` setting).
 * - domain scope: the classifier puts the domain itself (http://domain/) in a
 *   non-grantable list or category.
 * - url scope: the same for the prefix as a URL.
 *
 * Limit: a domain grant is checked at the domain's root only; a
 * non-grantable entry deeper down (a subdomain, a URL path, a keyword) cannot
 * be enumerated here. It stays blocked all the same, because covers()
 * (src/policy/grants.ts) never lets any grant unlock a non-grantable match.
 */
import type { RuleMatch } from '../classify/classification.ts';
import type { Classifier } from '../classify/classifier.ts';
import { normaliseUrl } from '../classify/normalise-url.ts';
import type { GrantScope } from '../policy/grants.ts';
import type { Policy } from '../policy/policy-model.ts';
import { createGrantPolicy, type GrantPolicy } from './grant-rules.ts';

export type NonGrantableReason = (scope: GrantScope) => string | null;

/** `nonGrantableReason(scope)` over these lists; takes canonical scopes (canonicalScope). */
export function createNonGrantableCheck(policy: Policy, classifier: Classifier): NonGrantableReason {
  const blocking = (match: RuleMatch): boolean => !match.grantable || policy.categories.get(match.category)?.grantable === false;
  const explain = (url: string): string | null => {
    const match = classifier.classify(normaliseUrl(url)).matches.find(blocking);
    if (match === undefined) return null;
    return `it is on the non-grantable list "${match.list}" (${match.file}, line ${match.line})`;
  };
  return (scope) => {
    switch (scope.kind) {
      case 'category': {
        const category = policy.categories.get(scope.category);
        // An unknown category is the rules' isKnownCategory check, not a grantability question.
        if (category === undefined || category.grantable) return null;
        return `the category "${category.id}" (${category.title}) is marked non-grantable`;
      }
      case 'domain':
        return explain(`http://${scope.domain}/`);
      case 'url':
        return explain(`http://${scope.prefix}`);
    }
  };
}

export interface ExpiryLimits {
  /** Days; default 90. */
  readonly defaultExpiryDays?: number;
  /** Days; default 365. */
  readonly maxExpiryDays?: number;
}

/** The GrantPolicy for a lists snapshot (rebuild it whenever the lists reload). */
export function grantPolicyFromLists(policy: Policy, classifier: Classifier, limits: ExpiryLimits = {}): GrantPolicy {
  return createGrantPolicy({
    isKnownCategory: (id) => policy.categories.has(id),
    nonGrantableReason: createNonGrantableCheck(policy, classifier),
    ...limits,
  });
}
