/**
 * The administrators' per-category overrides (admin web UI, stored in
 * category_settings) laid over the policy built from meta.json and the
 * configuration file. Precedence: meta.json < configuration file < admin
 * override, with one exception kept from build-policy.ts: a category its
 * meta.json marks non-grantable stays non-grantable, whatever anyone sets.
 * Sub-lists marked non-grantable are untouched here: they travel in the
 * classification (RuleMatch.grantable) and decide() never lets a grant
 * unlock them.
 */
import type { CategoryPolicy, Policy } from './policy-model.ts';

/** One category's override; null: no override for that setting. */
export interface CategoryOverride {
  readonly enforced: boolean | null;
  readonly grantable: boolean | null;
}

export type CategoryOverrides = ReadonlyMap<string, CategoryOverride>;

/**
 * `base` with `overrides` applied. Ids not in `base` are ignored (their list
 * may have been removed). Returns `base` itself when nothing changes, so an
 * unchanged policy keeps its identity.
 */
export function withCategoryOverrides(base: Policy, overrides: CategoryOverrides): Policy {
  let changed = false;
  const map = new Map<string, CategoryPolicy>();
  for (const [id, category] of base.categories) {
    const override = overrides.get(id);
    const next = override === undefined ? category : applyOverride(category, override);
    if (next !== category) changed = true;
    map.set(id, next);
  }
  return changed ? Object.freeze({ categories: map }) : base;
}

function applyOverride(category: CategoryPolicy, override: CategoryOverride): CategoryPolicy {
  const enforced = override.enforced ?? category.enforced;
  const grantable = (category.listGrantable ?? true) && (override.grantable ?? category.grantable);
  if (enforced === category.enforced && grantable === category.grantable) return category;
  return Object.freeze({ ...category, enforced, grantable });
}

/** Same overrides (for telling whether a re-read of the store changed anything). */
export function sameOverrides(a: CategoryOverrides, b: CategoryOverrides): boolean {
  if (a.size !== b.size) return false;
  for (const [id, x] of a) {
    const y = b.get(id);
    if (y === undefined || y.enforced !== x.enforced || y.grantable !== x.grantable) return false;
  }
  return true;
}
