/**
 * withCategoryOverrides (pure) and the CategoryOverlay that keeps overrides
 * applied across list reloads, plus the CategorySettingsStore (SQLite, with
 * its audit events).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Classification, RuleMatch } from '../../src/classify/classification.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import { CategoryOverlay } from '../../src/category-overlay.ts';
import { CategorySettingsStore } from '../../src/grants/category-settings-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import { buildPolicy } from '../../src/policy/build-policy.ts';
import { withCategoryOverrides, type CategoryOverride } from '../../src/policy/category-overrides.ts';
import { decide } from '../../src/policy/decide.ts';
import type { Grant } from '../../src/policy/grants.ts';
import { LATEST_SCHEMA_VERSION } from '../../src/store/migrations.ts';
import { tempDatabase } from '../helpers/temp-database.ts';

const base = buildPolicy(
  [
    { id: 'chat', title: 'Chat', definition: '', optional: false, grantable: true },
    { id: 'gambling', title: 'Gambling', definition: '', optional: true, grantable: true },
    { id: 'illegal', title: 'Illegal', definition: '', optional: false, grantable: true },
    { id: 'weapons', title: 'Weapons', definition: '', optional: false, grantable: false },
  ],
  // The configuration file turns gambling on and makes chat non-grantable.
  { gambling: { enforced: true }, chat: { grantable: false } },
);

const overrides = (entries: Record<string, CategoryOverride>) => new Map(Object.entries(entries));
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

test('no overrides: the same policy object comes back', () => {
  assert.equal(withCategoryOverrides(base, new Map()), base);
  assert.equal(withCategoryOverrides(base, overrides({ chat: { enforced: null, grantable: null } })), base);
});

test('an admin override wins over the configuration file, both ways', () => {
  const p = withCategoryOverrides(base, overrides({ gambling: { enforced: false, grantable: null }, chat: { enforced: null, grantable: true }, illegal: { enforced: null, grantable: false } }));
  assert.equal(p.categories.get('gambling')!.enforced, false, 'config said on; admin says off');
  assert.equal(p.categories.get('chat')!.grantable, true, 'config said non-grantable; admin says grantable');
  assert.equal(p.categories.get('illegal')!.grantable, false);
  assert.equal(p.categories.get('illegal')!.enforced, true, 'null keeps the configured value');
  assert.equal(base.categories.get('gambling')!.enforced, true, 'the base policy is not changed');
});

test('a category meta.json marks non-grantable stays so whatever the override', () => {
  const p = withCategoryOverrides(base, overrides({ weapons: { enforced: null, grantable: true } }));
  assert.equal(p.categories.get('weapons')!.grantable, false);
});

test('unknown category ids are ignored', () => {
  const p = withCategoryOverrides(base, overrides({ removed: { enforced: false, grantable: false } }));
  assert.deepEqual([...p.categories.keys()], [...base.categories.keys()]);
  assert.equal(p.categories.has('removed'), false);
});

test('a non-grantable sub-list stays non-grantable when its category is made grantable', () => {
  const p = withCategoryOverrides(base, overrides({ illegal: { enforced: null, grantable: true } }));
  const target = normaliseUrl('http://bad.example/');
  const match: RuleMatch = { category: 'illegal', list: 'illegal/cam', kind: 'domain', entry: 'bad.example', file: 'illegal/cam/domains', line: 1, grantable: false, source: 'local' };
  const classification: Classification = { categories: ['illegal'], matches: [match], trusted: false };
  const grant: Grant = { id: 'g1', memberId: 'alice', scope: { kind: 'category', category: 'illegal' }, status: 'approved', expiresAt: NOW + 60_000 };
  const d = decide(classification, target, { id: 'alice', name: 'A', groupId: 'labour' }, [grant], p, NOW);
  assert.equal(d.action, 'block', 'no grant unlocks a non-grantable sub-list');
});

test('turning enforcement off lets the match through; back to default blocks', () => {
  const target = normaliseUrl('http://chat.example/');
  const match: RuleMatch = { category: 'chat', list: 'chat', kind: 'domain', entry: 'chat.example', file: 'chat/domains', line: 1, grantable: true, source: 'local' };
  const classification: Classification = { categories: ['chat'], matches: [match], trusted: false };
  const off = withCategoryOverrides(base, overrides({ chat: { enforced: false, grantable: null } }));
  assert.equal(decide(classification, target, undefined, [], off, NOW).action, 'allow');
  assert.equal(decide(classification, target, undefined, [], withCategoryOverrides(base, new Map()), NOW).action, 'block');
});

test('CategoryOverlay: applies to a reloaded base, remembers the base, and clears back to it', () => {
  const overlay = new CategoryOverlay(overrides({ chat: { enforced: false, grantable: null } }));
  const served = overlay.apply(base);
  assert.equal(served.categories.get('chat')!.enforced, false);
  assert.equal(overlay.baseOf(served), base);
  assert.equal(overlay.refresh(served, overrides({ chat: { enforced: false, grantable: null } })), null, 'unchanged: nothing to swap');
  const cleared = overlay.refresh(served, new Map());
  assert.ok(cleared !== null);
  assert.equal(cleared.categories.get('chat')!.enforced, true);
  // A list reload after the change gets the latest overrides.
  overlay.refresh(cleared, overrides({ gambling: { enforced: false, grantable: null } }));
  const reloaded = overlay.apply(buildPolicy([{ id: 'gambling', title: 'G', definition: '', optional: true, grantable: true }], { gambling: { enforced: true } }));
  assert.equal(reloaded.categories.get('gambling')!.enforced, false);
});

test('CategorySettingsStore: set, change, clear; one audit event per change with before/after; no-op writes nothing', (t) => {
  const db = tempDatabase(t, 'wardgate-catset-');
  assert.ok(LATEST_SCHEMA_VERSION >= 5);
  let clock = NOW;
  const store = new CategorySettingsStore(db, () => clock);
  const set = store.set('chat', { enforced: false, grantable: null }, 'staff:admin1');
  assert.deepEqual(set, { categoryId: 'chat', enforced: false, grantable: null, updatedAt: NOW, updatedBy: 'staff:admin1' });
  assert.deepEqual(store.set('chat', { enforced: false, grantable: null }, 'staff:admin1'), set, 'same value: unchanged');
  clock += 1_000;
  store.set('chat', { enforced: false, grantable: false }, 'staff:admin2');
  assert.equal(store.set('chat', { enforced: null, grantable: null }, 'staff:admin1'), null);
  assert.equal(store.all().size, 0);
  const events = queryAuditEvents(db, { subject: 'category:chat' });
  assert.deepEqual(events.map((e) => [e.action, e.actor]), [['category-setting', 'staff:admin1'], ['category-setting', 'staff:admin2'], ['category-setting', 'staff:admin1']]);
  assert.equal(events[0]!.before, null);
  assert.deepEqual(events[1]!.after, { category: 'chat', enforced: false, grantable: false, updatedAt: new Date(NOW + 1_000).toISOString(), updatedBy: 'staff:admin2' });
  assert.equal(events[2]!.after, null);
  assert.throws(() => store.set('../etc', { enforced: false, grantable: null }, 'staff:admin1'), /not a category id/);
  assert.throws(() => db.prepare("INSERT INTO category_settings VALUES ('x', 2, NULL, 'now', 'me')").run(), /CHECK/);
});
