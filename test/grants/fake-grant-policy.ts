/** Fake lists for grant tests: `weapons` is non-grantable, and so is anything on never-grant.test. */
import { createGrantPolicy, type GrantPolicy } from '../../src/grants/grant-rules.ts';

export const KNOWN_CATEGORIES: readonly string[] = ['pornography', 'chat', 'illegal', 'weapons'];

export function fakeGrantPolicy(limits: { defaultExpiryDays?: number; maxExpiryDays?: number } = {}): GrantPolicy {
  return createGrantPolicy({
    isKnownCategory: (id) => KNOWN_CATEGORIES.includes(id),
    nonGrantableReason: (scope) => {
      if (scope.kind === 'category') return scope.category === 'weapons' ? 'weapons is marked non-grantable' : null;
      const host = scope.kind === 'domain' ? scope.domain : scope.prefix.split('/')[0]!;
      return host === 'never-grant.test' || host.endsWith('.never-grant.test') ? 'on the list illegal/child-abuse' : null;
    },
    ...limits,
  });
}
