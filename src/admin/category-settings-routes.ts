/**
 * Category settings in the admin web UI: everyone signed in sees them,
 * administrators set or clear the per-category overrides
 * (POST /categories/:id, fields `enforced` and `grantable`, each `default`,
 * `yes` or `no`). The serving proxy picks a change up through store-sync
 * within a second (the write goes through the admin connection).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WfError } from '../errors.ts';
import { staffActor } from '../grants/actor.ts';
import type { CategorySettingRecord, CategorySettingsStore } from '../grants/category-settings-store.ts';
import type { CategoryPolicy } from '../policy/policy-model.ts';
import type { CategoryOverride } from '../policy/category-overrides.ts';
import type { StaffRecord } from '../grants/staff-store.ts';
import { toIso } from '../grants/time.ts';
import { requireRole } from './grant-service.ts';
import type { Html } from './html.ts';
import { categoriesPage } from './pages/other-pages.ts';
import type { Message, PageContext } from './pages/layout.ts';
import { fieldsOf, type Fields } from './request-input.ts';
import type { StaffUiDeps } from './staff-auth.ts';

export interface CategorySettingsDeps {
  readonly store: Pick<CategorySettingsStore, 'all' | 'set'>;
  /** The policy from meta.json and the configuration file, before any override (the "default" column). */
  readonly base: () => readonly CategoryPolicy[];
  /** Called after a change is committed: the serving process applies it at once, before the page answers. */
  readonly changed?: () => void;
}

/** One row of the categories page. */
export interface CategoryView {
  /** As the proxy serves it now. */
  readonly serving: CategoryPolicy;
  /** Without the administrators' override (null when overrides are not available). */
  readonly base: CategoryPolicy | null;
  readonly setting: CategorySettingRecord | null;
}

type Choice = boolean | null;

function choiceOf(fields: Fields, name: 'enforced' | 'grantable'): Choice {
  const value = fields[name];
  if (value === undefined || value === 'default') return null;
  if (value === 'yes') return true;
  if (value === 'no') return false;
  throw new WfError('WF_ERR_INVALID_INPUT', `${name} must be "default", "yes" or "no"`);
}

export function categoryViews(deps: StaffUiDeps): CategoryView[] {
  const settings = deps.categorySettings?.store.all() ?? new Map<string, CategorySettingRecord>();
  const base = new Map((deps.categorySettings?.base() ?? []).map((c) => [c.id, c]));
  return deps.categories().map((serving) => ({ serving, base: base.get(serving.id) ?? null, setting: settings.get(serving.id) ?? null }));
}

export function categoriesHandlers(
  deps: StaffUiDeps,
  ctxOf: (request: FastifyRequest) => PageContext,
  sendHtml: (reply: FastifyReply, status: number, body: Html) => FastifyReply,
) {
  const show = (request: FastifyRequest, reply: FastifyReply, status: number, message?: Message) => {
    const ctx = ctxOf(request);
    requireRole(ctx.staff, ['gsm', 'admin', 'auditor'], 'the category settings');
    const editable = ctx.staff.role === 'admin' && deps.categorySettings !== undefined;
    return sendHtml(reply, status, categoriesPage(ctx, categoryViews(deps), editable, message));
  };
  return {
    show,
    async update(request: FastifyRequest, reply: FastifyReply) {
      const staff = request.signedIn!.staff;
      requireRole(staff, ['admin'], 'changing category settings');
      const fields = fieldsOf(request.body);
      saveSetting(deps, staff, (request.params as { id: string }).id, { enforced: choiceOf(fields, 'enforced'), grantable: choiceOf(fields, 'grantable') });
      return reply.redirect(`/categories?done=category-saved`, 303);
    },
  };
}

/** An administrator's change (web or API): checks role and category, stores it with its audit event, applies it here at once. */
function saveSetting(deps: StaffUiDeps, staff: StaffRecord, id: string, override: CategoryOverride): CategorySettingRecord | null {
  requireRole(staff, ['admin'], 'changing category settings');
  const settings = deps.categorySettings;
  if (settings === undefined) throw new WfError('WF_ERR_FORBIDDEN', 'category settings cannot be changed in this server');
  if (!deps.categories().some((c) => c.id === id)) throw new WfError('WF_ERR_NOT_FOUND', `category "${id.slice(0, 80)}" is not in the lists serving now`);
  const saved = settings.store.set(id, override, staffActor(staff.id));
  settings.changed?.();
  return saved;
}

function apiChoice(fields: Fields, name: 'enforced' | 'grantable'): Choice {
  const value = fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  throw new WfError('WF_ERR_INVALID_INPUT', `${name} must be true, false or null (null: no override)`);
}

function viewToJson(view: CategoryView): Record<string, unknown> {
  const { serving: c, base, setting } = view;
  return {
    id: c.id,
    title: c.title,
    optional: c.optional,
    enforced: c.enforced,
    grantable: c.grantable,
    default: base === null ? null : { enforced: base.enforced, grantable: base.grantable },
    override: setting === null ? null : { enforced: setting.enforced, grantable: setting.grantable, updatedAt: toIso(setting.updatedAt), updatedBy: setting.updatedBy },
  };
}

/** GET /api/v1/categories (every role), POST /api/v1/categories/:id {enforced, grantable} (admin). */
export function registerCategoriesApi(api: FastifyInstance, deps: StaffUiDeps, staffOf: (request: FastifyRequest) => StaffRecord): void {
  api.get('/categories', async (request) => {
    requireRole(staffOf(request), ['gsm', 'admin', 'auditor'], 'the category settings');
    return { categories: categoryViews(deps).map(viewToJson) };
  });
  api.post('/categories/:id', async (request) => {
    const fields = fieldsOf(request.body);
    const id = (request.params as { id: string }).id;
    saveSetting(deps, staffOf(request), id, { enforced: apiChoice(fields, 'enforced'), grantable: apiChoice(fields, 'grantable') });
    const view = categoryViews(deps).find((v) => v.serving.id === id);
    return { category: view === undefined ? null : viewToJson(view) };
  });
}
