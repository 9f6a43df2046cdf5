/**
 * import-map: which council categories each list of an imported source
 * feeds. A map is a JSON file (the shipped one is categories/ut1-map.json;
 * docs/ut1-map.md explains every line):
 *
 *   {
 *     "attribution": "UT1 blacklists, … CC BY-SA 4.0",      (optional, recorded with each import)
 *     "lists": {
 *       "adult":            { "categories": ["pornography"], "why": "…" },
 *       "agressif":         { "categories": ["hate", "violence"], "why": "…" },
 *       "sexual_education": { "use": "trusted", "why": "…" },
 *       "tricheur_pix":     { "use": "skip", "why": "…" }
 *     },
 *     "notCovered": { "murder-suicide": "…" }                  (optional, documentation)
 *   }
 *
 * `use` is `block` (the default: the list's entries go into every category
 * named), `trusted` (its hosts become trusted sites, spared keyword and
 * imported-list matches) or `skip`. A list the map does not name is skipped
 * with a note. `why` is required: an auditor reading a block must be able to
 * find out why that list blocks in that category.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { WfError } from '../errors.ts';
import { ALL_CATEGORY_IDS, isCategoryId } from '../policy/categories.ts';

/** The map shipped with wardgate for `--format ut1` (works from src/ and dist/). */
export const DEFAULT_UT1_MAP = fileURLToPath(new URL('../../categories/ut1-map.json', import.meta.url));

export type MapUse = 'block' | 'trusted' | 'skip';

export interface MapEntry {
  readonly use: MapUse;
  /** Council category ids (block only; empty otherwise). */
  readonly categories: readonly string[];
  readonly why: string;
}

export interface ImportMap {
  /** The map file, or a description of a built-in map. */
  readonly origin: string;
  /** Keyed by source list name (a UT1 folder name, a file's base name). */
  readonly lists: ReadonlyMap<string, MapEntry>;
  readonly attribution: string | undefined;
}

const LIST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const categoryId = z.string().refine(isCategoryId, {
  error: (i) => `unknown council category ${JSON.stringify(i.input)} (known: ${ALL_CATEGORY_IDS.join(', ')})`,
});

const entrySchema = z
  .strictObject({
    use: z.enum(['block', 'trusted', 'skip']).optional(),
    categories: z.array(categoryId).optional(),
    why: z.string().min(1, { error: 'give the reason for this mapping' }),
  })
  .superRefine((entry, ctx) => {
    const use = entry.use ?? 'block';
    if (use === 'block' && (entry.categories === undefined || entry.categories.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'a "block" list needs at least one council category' });
    }
    if (use !== 'block' && entry.categories !== undefined && entry.categories.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: `a "${use}" list takes no categories` });
    }
  });

const mapSchema = z.strictObject({
  $comment: z.string().optional(),
  description: z.string().optional(),
  attribution: z.string().optional(),
  lists: z.record(z.string().regex(LIST_NAME_RE, { error: 'list names are letters, digits, ".", "_" and "-"' }), entrySchema),
  notCovered: z.record(categoryId, z.string()).optional(),
});

function toMap(origin: string, data: z.infer<typeof mapSchema>): ImportMap {
  const lists = new Map<string, MapEntry>();
  for (const [name, entry] of Object.entries(data.lists)) {
    const use = entry.use ?? 'block';
    lists.set(name, Object.freeze({ use, categories: Object.freeze(use === 'block' ? [...new Set(entry.categories)] : []), why: entry.why }));
  }
  return Object.freeze({ origin, lists, attribution: data.attribution });
}

/** Validates a parsed map; every problem is listed in one WF_ERR_INVALID_INPUT. */
export function parseImportMap(raw: unknown, origin: string): ImportMap {
  const parsed = mapSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${origin}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new WfError('WF_ERR_INVALID_INPUT', `the category map is invalid:\n${problems.join('\n')}`);
  }
  return toMap(origin, parsed.data);
}

/** Reads and validates a map file. */
export async function readImportMap(file: string): Promise<ImportMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new WfError('WF_ERR_INVALID_INPUT', `cannot read the category map ${file} (${code})`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new WfError('WF_ERR_INVALID_INPUT', `the category map ${file} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return parseImportMap(raw, file);
}

/** squidGuard folders already named after council categories: each feeds its own category. */
export function identityMap(): ImportMap {
  const lists = new Map<string, MapEntry>();
  for (const id of ALL_CATEGORY_IDS) {
    lists.set(id, Object.freeze({ use: 'block', categories: Object.freeze([id]), why: `folder named after the council category "${id}"` }));
  }
  return Object.freeze({ origin: 'built in: folders named after council categories', lists, attribution: undefined });
}

/** Every list of the source goes into `categories` (a hosts or plain list given `--category`). */
export function allToMap(categories: readonly string[]): ImportMap {
  for (const id of categories) {
    if (!isCategoryId(id)) throw new WfError('WF_ERR_USAGE', `unknown council category "${id}" (known: ${ALL_CATEGORY_IDS.join(', ')})`);
  }
  const entry: MapEntry = Object.freeze({ use: 'block', categories: Object.freeze([...new Set(categories)]), why: 'named with --category' });
  // '*' is not a valid list name, so it cannot clash with a real one.
  return Object.freeze({ origin: `--category ${categories.join(',')}`, lists: new Map([['*', entry]]), attribution: undefined });
}

/** The entry for `list`, honouring a catch-all from allToMap. */
export function lookupMap(map: ImportMap, list: string): MapEntry | undefined {
  return map.lists.get(list) ?? map.lists.get('*');
}
