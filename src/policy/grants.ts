/**
 * Grant: an exclusion a Group Support Manager approved for one member. The
 * workflow that creates grants lives in src/grants (a later issue); the policy
 * core only needs the shape and the two predicates below, and takes the grant
 * set as input so decide() stays pure.
 */
import type { Target } from '../classify/target.ts';
import type { RuleMatch } from '../classify/classification.ts';

export type GrantScope =
  | { readonly kind: 'category'; readonly category: string }
  /** The domain and all its subdomains. */
  | { readonly kind: 'domain'; readonly domain: string }
  /** A URL prefix without scheme, e.g. `example.com/reports/`. */
  | { readonly kind: 'url'; readonly prefix: string };

export type GrantStatus = 'pending' | 'approved' | 'declined' | 'revoked' | 'expired';

export interface Grant {
  readonly id: string;
  readonly memberId: string;
  readonly scope: GrantScope;
  readonly status: GrantStatus;
  /** Epoch milliseconds; the grant is not honoured at or after this instant. */
  readonly expiresAt: number;
}

/** Honoured now: approved and not yet expired (checked at decision time, so no lag). */
export function isActive(grant: Grant, now: number): boolean {
  return grant.status === 'approved' && now < grant.expiresAt;
}

function hostWithin(host: string, domain: string): boolean {
  return host === domain || (host.length > domain.length && host.endsWith(domain) && host.charCodeAt(host.length - domain.length - 1) === 46);
}

/** Whether the grant's scope unlocks this match on this target. Non-grantable matches are never covered. */
export function covers(grant: Grant, match: RuleMatch, target: Target): boolean {
  if (!match.grantable) return false;
  const scope = grant.scope;
  switch (scope.kind) {
    case 'category':
      return scope.category === match.category;
    case 'domain':
      return hostWithin(target.host, scope.domain);
    case 'url':
      return (target.authority + target.matchPath).startsWith(scope.prefix);
  }
}
