/**
 * Policy from the category metadata shipped with the lists plus the
 * configuration's per-category overrides. Core categories are enforced unless
 * configured off; optional ones only when configured on.
 */
import type { CategorySetting } from '../config/config.ts';
import type { CategoryPolicy, Policy } from './policy-model.ts';

export interface CategoryDescription {
  readonly id: string;
  readonly title: string;
  readonly definition: string;
  readonly optional: boolean;
  readonly grantable: boolean;
}

export function buildPolicy(
  categories: readonly CategoryDescription[],
  settings: Readonly<Record<string, CategorySetting>>,
): Policy {
  const map = new Map<string, CategoryPolicy>();
  for (const meta of categories) {
    const setting = settings[meta.id] ?? {};
    map.set(
      meta.id,
      Object.freeze({
        id: meta.id,
        title: meta.title,
        definition: meta.definition,
        optional: meta.optional,
        enforced: setting.enforced ?? !meta.optional,
        // Configuration may only tighten: a list marked non-grantable stays so.
        grantable: meta.grantable && (setting.grantable ?? true),
        listGrantable: meta.grantable,
      }),
    );
  }
  return Object.freeze({ categories: map });
}
