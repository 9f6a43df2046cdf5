/**
 * The council's category ids (DESIGN.md, seeds/001 Appendix A "INTERNET").
 * Ids are stable: they appear in logs, grants and configuration. Titles and
 * definitions live with the lists in categories/<id>/meta.json.
 */
export const CORE_CATEGORY_IDS = [
  'adults-only',
  'chat',
  'drugs',
  'hate',
  'illegal',
  'murder-suicide',
  'personal-info',
  'pornography',
  'profanity',
  'school-cheating',
  'sex',
  'tasteless',
  'violence',
  'weapons',
] as const;

/** Forbidden by other council protocols; enforced only where configured. */
export const OPTIONAL_CATEGORY_IDS = ['gambling', 'piracy', 'software-downloads'] as const;

export type CoreCategoryId = (typeof CORE_CATEGORY_IDS)[number];
export type OptionalCategoryId = (typeof OPTIONAL_CATEGORY_IDS)[number];
export type CategoryId = CoreCategoryId | OptionalCategoryId;

export const ALL_CATEGORY_IDS: readonly CategoryId[] = [...CORE_CATEGORY_IDS, ...OPTIONAL_CATEGORY_IDS];

const KNOWN = new Set<string>(ALL_CATEGORY_IDS);

export function isCategoryId(value: string): value is CategoryId {
  return KNOWN.has(value);
}

export function isOptionalCategory(id: string): boolean {
  return (OPTIONAL_CATEGORY_IDS as readonly string[]).includes(id);
}
