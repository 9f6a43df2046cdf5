/**
 * Category settings in the admin web UI: everyone signed in sees them,
 * administrators set or clear the per-category overrides
 * (POST /categories/:id, fields `enforced` and `grantable`, each `default`,
 * `yes` or `no`). The serving proxy picks a change up through store-sync
 * within a second (the write goes through the admin connection).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WfError } from '../errors.ts';
import { staffActor } from '../grants/actor.ts';
import type { CategorySettingRecord, CategorySettingsStore } from '../grants/category-settings-store.ts';
import type { CategoryPolicy } from '../policy/policy-model.ts';
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
      const settings = deps.categorySettings;
      if (settings === undefined) throw new WfError('WF_ERR_FORBIDDEN', 'category settings cannot be changed in this server');
      const id = (request.params as { id: string }).id;
      if (!deps.categories().some((c) => c.id === id)) throw new WfError('WF_ERR_NOT_FOUND', `category "${id.slice(0, 80)}" is not in the lists serving now`);
      const fields = fieldsOf(request.body);
      settings.store.set(id, { enforced: choiceOf(fields, 'enforced'), grantable: choiceOf(fields, 'grantable') }, staffActor(staff.id));
      settings.changed?.();
      return reply.redirect(`/categories?done=category-saved`, 303);
    },
  };
}
