/**
 * Administrators' per-category overrides (category_settings, migration 5):
 * read them all, set or clear one. Every change writes a `category-setting`
 * audit event (subject `category:<id>`, before/after) in the same
 * transaction. A row with both settings null is deleted: no override left.
 * Whether the category exists is the caller's question (the lists can change
 * under the table; rows for removed categories are ignored by
 * withCategoryOverrides).
 */
import { WfError } from '../errors.ts';
import type { CategoryOverride } from '../policy/category-overrides.ts';
import type { Database } from '../store/database.ts';
import { appendAuditEvent } from './sqlite-audit.ts';
import { fromIso, toIso } from './time.ts';

export interface CategorySettingRecord extends CategoryOverride {
  readonly categoryId: string;
  readonly updatedAt: number;
  /** Actor string (actor.ts) of the last change. */
  readonly updatedBy: string;
}

interface SettingRow {
  category_id: string;
  enforced: number | null;
  grantable: number | null;
  updated_at: string;
  updated_by: string;
}

/** Category ids as the list folders allow them (kept loose: the caller checks the id is known). */
const CATEGORY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function categorySubject(categoryId: string): string {
  return `category:${categoryId}`;
}

export class CategorySettingsStore {
  readonly #db: Database;
  readonly #clock: () => number;

  constructor(db: Database, clock: () => number = Date.now) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Every stored override, by category id. */
  all(): Map<string, CategorySettingRecord> {
    const rows = this.#db.prepare<[], SettingRow>('SELECT * FROM category_settings ORDER BY category_id').all();
    return new Map(rows.map((row) => [row.category_id, toRecord(row)]));
  }

  get(categoryId: string): CategorySettingRecord | null {
    const row = this.#db.prepare<[string], SettingRow>('SELECT * FROM category_settings WHERE category_id = ?').get(categoryId);
    return row === undefined ? null : toRecord(row);
  }

  /**
   * Sets the category's overrides (null: none, the configuration applies).
   * Returns the record, or null when no override is left. No change: no
   * write and no audit event.
   */
  set(categoryId: string, override: CategoryOverride, actor: string): CategorySettingRecord | null {
    if (typeof categoryId !== 'string' || !CATEGORY_ID.test(categoryId)) {
      throw new WfError('WF_ERR_INVALID_INPUT', `"${String(categoryId).slice(0, 80)}" is not a category id`);
    }
    return this.#db.transaction(() => {
      const before = this.get(categoryId);
      if ((before?.enforced ?? null) === override.enforced && (before?.grantable ?? null) === override.grantable) return before;
      const now = this.#clock();
      if (override.enforced === null && override.grantable === null) {
        this.#db.prepare('DELETE FROM category_settings WHERE category_id = ?').run(categoryId);
      } else {
        this.#db
          .prepare(
            `INSERT INTO category_settings (category_id, enforced, grantable, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (category_id) DO UPDATE SET enforced = excluded.enforced, grantable = excluded.grantable,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          )
          .run(categoryId, toInt(override.enforced), toInt(override.grantable), toIso(now), actor);
      }
      const after = this.get(categoryId);
      appendAuditEvent(this.#db, {
        at: now,
        actor,
        action: 'category-setting',
        subject: categorySubject(categoryId),
        before: toJson(before),
        after: toJson(after),
      });
      return after;
    }).immediate();
  }
}

function toInt(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

function toBool(value: number | null): boolean | null {
  return value === null ? null : value === 1;
}

function toRecord(row: SettingRow): CategorySettingRecord {
  return {
    categoryId: row.category_id,
    enforced: toBool(row.enforced),
    grantable: toBool(row.grantable),
    updatedAt: fromIso(row.updated_at),
    updatedBy: row.updated_by,
  };
}

/** The audit view; null for "no override". */
function toJson(record: CategorySettingRecord | null): unknown {
  if (record === null) return null;
  return { category: record.categoryId, enforced: record.enforced, grantable: record.grantable, updatedAt: toIso(record.updatedAt), updatedBy: record.updatedBy };
}
