/**
 * Keeps the administrators' category overrides applied to whatever base
 * policy (meta.json + configuration) the proxy serves: at start, after each
 * list reload (apply), and when the store's overrides change (refresh, from
 * store-sync). Each served policy remembers its override-free base, so
 * clearing an override restores the configuration's value.
 */
import type { CategorySettingsStore } from './grants/category-settings-store.ts';
import { sameOverrides, withCategoryOverrides, type CategoryOverride, type CategoryOverrides } from './policy/category-overrides.ts';
import type { Policy } from './policy/policy-model.ts';

interface Applied {
  readonly base: Policy;
  readonly overrides: CategoryOverrides;
}

export class CategoryOverlay {
  readonly #applied = new WeakMap<Policy, Applied>();
  #overrides: CategoryOverrides;

  constructor(overrides: CategoryOverrides) {
    this.#overrides = overrides;
  }

  /** `base` with the latest overrides. */
  apply(base: Policy): Policy {
    const policy = withCategoryOverrides(base, this.#overrides);
    this.#applied.set(policy, { base, overrides: this.#overrides });
    return policy;
  }

  /** The override-free policy `served` was built from. */
  baseOf(served: Policy): Policy {
    return this.#applied.get(served)?.base ?? served;
  }

  /** Takes freshly read overrides; returns the policy to serve instead of `served`, or null when nothing changed. */
  refresh(served: Policy, overrides: CategoryOverrides): Policy | null {
    this.#overrides = overrides;
    const applied = this.#applied.get(served);
    if (applied !== undefined && sameOverrides(applied.overrides, overrides)) return null;
    if (applied === undefined && overrides.size === 0) return null;
    return this.apply(applied?.base ?? served);
  }
}

/** The store's overrides in the shape withCategoryOverrides takes. */
export function readOverrides(store: CategorySettingsStore): Map<string, CategoryOverride> {
  const out = new Map<string, CategoryOverride>();
  for (const [id, record] of store.all()) out.set(id, { enforced: record.enforced, grantable: record.grantable });
  return out;
}
