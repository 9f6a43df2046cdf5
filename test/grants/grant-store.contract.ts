/**
 * The shared contract every GrantStore passes (undici's cacheStoreTests
 * idea): SQLite runs it in sqlite-grant-store.test.ts, a PostgreSQL store will
 * run it too, skipped where no database is available.
 *
 * A store under test comes with a small "world": the standard directory and
 * staff below, a second independent connection to the same data (for races),
 * and a way to try to rewrite audit rows behind the store's back. The clock
 * and the grant policy are handed in, so every expiry is exact.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isWfError, type WfErrorCode } from '../../src/errors.ts';
import type { GrantScope } from '../../src/policy/grants.ts';
import { decide } from '../../src/policy/decide.ts';
import { buildPolicy } from '../../src/policy/build-policy.ts';
import { normaliseUrl } from '../../src/classify/normalise-url.ts';
import type { Classification } from '../../src/classify/classification.ts';
import { createGrantPolicy, type GrantPolicy, type StaffRole } from '../../src/grants/grant-rules.ts';
import type { GrantRecord, GrantStore } from '../../src/grants/grant-store.ts';
import { buildActiveGrants } from '../../src/grants/active-grants.ts';
import { DAY_MS } from '../../src/grants/time.ts';
import { fakeGrantPolicy } from './fake-grant-policy.ts';

export interface ContractEnv {
  readonly clock: () => number;
  readonly policy: () => GrantPolicy;
}

export interface NewContractStaff {
  readonly id: string;
  readonly role: StaffRole;
  readonly groupId?: string;
  readonly memberId?: string;
  readonly disabled?: boolean;
}

export interface ContractWorld {
  readonly store: GrantStore;
  /** Another store over the same data through its own connection. */
  openAnother(): Promise<GrantStore>;
  addGroup(id: string): Promise<void>;
  addMember(id: string, groupId: string): Promise<void>;
  addStaff(staff: NewContractStaff): Promise<void>;
  /** Tries to change or delete an audit event directly; must reject. */
  tamperWithAudit(kind: 'update' | 'delete', eventId: number): Promise<void>;
  close(): Promise<void>;
}

export type CreateContractWorld = (env: ContractEnv) => Promise<ContractWorld>;

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

interface Harness {
  readonly world: ContractWorld;
  readonly store: GrantStore;
  now: number;
  policy: GrantPolicy;
}

async function setup(t: { after(fn: () => Promise<void>): void }, create: CreateContractWorld): Promise<Harness> {
  const h = { now: T0, policy: fakeGrantPolicy() } as Harness;
  const world = await create({ clock: () => h.now, policy: () => h.policy });
  t.after(() => world.close());
  for (const g of ['labour', 'green']) await world.addGroup(g);
  for (const [m, g] of [['alice', 'labour'], ['bob', 'labour'], ['dave', 'labour'], ['carol', 'green']] as const) await world.addMember(m, g);
  await world.addStaff({ id: 'gsm-labour', role: 'gsm', groupId: 'labour' });
  await world.addStaff({ id: 'gsm-green', role: 'gsm', groupId: 'green' });
  await world.addStaff({ id: 'dave-gsm', role: 'gsm', groupId: 'labour', memberId: 'dave' });
  await world.addStaff({ id: 'gsm-off', role: 'gsm', groupId: 'labour', disabled: true });
  await world.addStaff({ id: 'admin1', role: 'admin' });
  await world.addStaff({ id: 'auditor1', role: 'auditor' });
  return Object.assign(h, { world, store: world.store });
}

function fails(code: WfErrorCode, ...fragments: string[]) {
  return (error: unknown) => {
    assert.ok(isWfError(error, code), `expected ${code}, got ${String(error)}`);
    for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" lacks "${f}"`);
    return true;
  };
}

const porn: GrantScope = { kind: 'domain', domain: 'Blocked-Porn.test.' };

function ask(store: GrantStore, memberId = 'alice', scope: GrantScope = porn, extra: { requestedDays?: number; requestedBy?: string; reason?: string } = {}) {
  return store.request({
    memberId,
    scope,
    reason: extra.reason ?? 'Casework: a constituent complaint about this site',
    requestedDays: extra.requestedDays,
    requestedBy: extra.requestedBy ?? `member:${memberId}`,
  });
}

/** Runs `attempt`, expects it to fail with `code`, and checks no grant or audit event changed. */
async function refusedWithoutChange(h: Harness, attempt: () => Promise<unknown>, code: WfErrorCode, ...fragments: string[]) {
  const grants = await h.store.list();
  const events = await h.store.auditEvents();
  await assert.rejects(attempt(), fails(code, ...fragments));
  assert.deepEqual(await h.store.list(), grants);
  assert.deepEqual(await h.store.auditEvents(), events);
}

export function grantStoreTests(name: string, create: CreateContractWorld, options: { skip?: boolean | string } = {}): void {
  describe(`GrantStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    test('request: a pending grant with the canonical scope, the reason and who asked, and its audit event', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store, 'alice', porn, { requestedDays: 30, reason: '  Casework  ' });
      assert.match(g.id, /^g_[0-9a-f]{16}$/);
      assert.deepEqual(
        { ...g },
        {
          id: g.id,
          memberId: 'alice',
          scope: { kind: 'domain', domain: 'blocked-porn.test' },
          reason: 'Casework',
          requestedDays: 30,
          requestedAt: T0,
          requestedBy: 'member:alice',
          status: 'pending',
          decidedBy: null,
          decidedAt: null,
          decisionNote: null,
          expiresAt: null,
          revokedBy: null,
          revokedAt: null,
          revokeNote: null,
          updatedAt: T0,
        },
      );
      assert.deepEqual(await h.store.get(g.id), g);
      const [event, ...rest] = await h.store.auditEvents({ subject: g.id });
      assert.equal(rest.length, 0);
      assert.equal(event!.action, 'request');
      assert.equal(event!.actor, 'member:alice');
      assert.equal(event!.at, T0);
      assert.equal(event!.before, null);
      assert.deepEqual(event!.after, { ...(event!.after as object), id: g.id, status: 'pending', scope: 'domain:blocked-porn.test', reason: 'Casework' });
    });

    test('request: staff may enter one for a member (admin, or the GSM of their group)', async (t) => {
      const h = await setup(t, create);
      const byGsm = await ask(h.store, 'alice', porn, { requestedBy: 'staff:gsm-labour' });
      assert.equal(byGsm.requestedBy, 'staff:gsm-labour');
      const byAdmin = await ask(h.store, 'carol', porn, { requestedBy: 'staff:admin1' });
      assert.equal(byAdmin.status, 'pending');
      const byCli = await ask(h.store, 'bob', porn, { requestedBy: 'cli:root' });
      assert.equal(byCli.requestedBy, 'cli:root');
    });

    test('request: every bad input is refused and changes nothing', async (t) => {
      const h = await setup(t, create);
      await ask(h.store, 'alice');
      await refusedWithoutChange(h, () => ask(h.store, 'nobody', porn, { requestedBy: 'cli:root' }), 'WF_ERR_NOT_FOUND', 'nobody');
      await refusedWithoutChange(h, () => ask(h.store, 'alice', { kind: 'domain', domain: 'https://x.test/' }), 'WF_ERR_INVALID_INPUT');
      await refusedWithoutChange(h, () => ask(h.store, 'alice', { kind: 'domain', domain: 'co.uk' }), 'WF_ERR_INVALID_INPUT', 'public suffix');
      await refusedWithoutChange(h, () => ask(h.store, 'alice', { kind: 'category', category: 'knitting' }), 'WF_ERR_INVALID_INPUT', 'knitting');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { reason: '   ' }), 'WF_ERR_INVALID_INPUT', 'reason');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { reason: 'x'.repeat(2001) }), 'WF_ERR_INVALID_INPUT', '2000');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { requestedDays: 366 }), 'WF_ERR_INVALID_INPUT', '365');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { requestedBy: 'member:alice' }), 'WF_ERR_FORBIDDEN', 'another member');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { requestedBy: 'staff:gsm-green' }), 'WF_ERR_FORBIDDEN', 'green');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { requestedBy: 'staff:auditor1' }), 'WF_ERR_FORBIDDEN', 'auditor');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { requestedBy: 'staff:gsm-off' }), 'WF_ERR_FORBIDDEN', 'disabled');
      await refusedWithoutChange(h, () => ask(h.store, 'bob', porn, { requestedBy: 'nobody at all' }), 'WF_ERR_INVALID_INPUT');
      await refusedWithoutChange(h, () => ask(h.store, 'alice'), 'WF_ERR_CONFLICT', 'pending');
    });

    test('request: non-grantable content is refused for category, domain and url scopes', async (t) => {
      const h = await setup(t, create);
      await refusedWithoutChange(h, () => ask(h.store, 'alice', { kind: 'category', category: 'weapons' }), 'WF_ERR_FORBIDDEN', 'weapons');
      await refusedWithoutChange(h, () => ask(h.store, 'alice', { kind: 'domain', domain: 'www.never-grant.test' }), 'WF_ERR_FORBIDDEN', 'never');
      await refusedWithoutChange(h, () => ask(h.store, 'alice', { kind: 'url', prefix: 'https://never-grant.test/a/' }), 'WF_ERR_FORBIDDEN', 'never');
    });

    test('approve: the GSM of the member\'s group approves; the default expiry applies; audit has before and after', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store);
      h.now += 60_000;
      const a = await h.store.approve({ grantId: g.id, by: 'gsm-labour', note: ' ok for casework ' });
      assert.equal(a.status, 'approved');
      assert.equal(a.decidedBy, 'gsm-labour');
      assert.equal(a.decidedAt, h.now);
      assert.equal(a.decisionNote, 'ok for casework');
      assert.equal(a.expiresAt, h.now + 90 * DAY_MS);
      const events = await h.store.auditEvents({ subject: g.id });
      assert.deepEqual(events.map((e) => e.action), ['request', 'approve']);
      const approve = events[1]!;
      assert.equal(approve.actor, 'staff:gsm-labour');
      assert.equal((approve.before as { status: string }).status, 'pending');
      assert.equal((approve.after as { status: string }).status, 'approved');
      assert.equal((approve.after as { expiresAt: string }).expiresAt, new Date(a.expiresAt!).toISOString());
    });

    test('approve: expiry from the request, from days, or an instant; never past, never beyond the maximum', async (t) => {
      const h = await setup(t, create);
      const asked = await ask(h.store, 'alice', porn, { requestedDays: 7 });
      assert.equal((await h.store.approve({ grantId: asked.id, by: 'gsm-labour' })).expiresAt, T0 + 7 * DAY_MS);
      const days = await ask(h.store, 'bob');
      assert.equal((await h.store.approve({ grantId: days.id, by: 'gsm-labour', days: 365 })).expiresAt, T0 + 365 * DAY_MS);
      const at = await ask(h.store, 'dave');
      for (const bad of [T0, T0 - 1, T0 + 365 * DAY_MS + 1]) {
        await refusedWithoutChange(h, () => h.store.approve({ grantId: at.id, by: 'gsm-labour', expiresAt: bad }), 'WF_ERR_INVALID_INPUT');
      }
      await refusedWithoutChange(h, () => h.store.approve({ grantId: at.id, by: 'gsm-labour', days: 0 }), 'WF_ERR_INVALID_INPUT');
      await refusedWithoutChange(h, () => h.store.approve({ grantId: at.id, by: 'gsm-labour', days: 1, expiresAt: T0 + 5 }), 'WF_ERR_INVALID_INPUT', 'not both');
      assert.equal((await h.store.approve({ grantId: at.id, by: 'gsm-labour', expiresAt: T0 + 1234 })).expiresAt, T0 + 1234);
    });

    test('approve: other group, administrator, auditor, disabled, unknown and self are refused; nothing changes', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store, 'alice');
      const mine = await ask(h.store, 'dave');
      const by = (staff: string, id = g.id) => () => h.store.approve({ grantId: id, by: staff });
      await refusedWithoutChange(h, by('gsm-green'), 'WF_ERR_FORBIDDEN', 'green', 'labour');
      await refusedWithoutChange(h, by('admin1'), 'WF_ERR_FORBIDDEN', 'administrator');
      await refusedWithoutChange(h, by('auditor1'), 'WF_ERR_FORBIDDEN', 'auditor');
      await refusedWithoutChange(h, by('gsm-off'), 'WF_ERR_FORBIDDEN', 'disabled');
      await refusedWithoutChange(h, by('nobody'), 'WF_ERR_NOT_FOUND', 'nobody');
      await refusedWithoutChange(h, by('gsm-labour', 'g_0000000000000000'), 'WF_ERR_NOT_FOUND');
      await refusedWithoutChange(h, by('dave-gsm', mine.id), 'WF_ERR_FORBIDDEN', 'own request');
      await refusedWithoutChange(h, () => h.store.decline({ grantId: mine.id, by: 'dave-gsm' }), 'WF_ERR_FORBIDDEN', 'own request');
      // dave-gsm is an ordinary GSM for everyone else in labour.
      assert.equal((await h.store.approve({ grantId: g.id, by: 'dave-gsm' })).status, 'approved');
    });

    test('approve: content that became non-grantable since the request is refused', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store, 'alice', { kind: 'category', category: 'chat' });
      const base = h.policy;
      h.policy = createGrantPolicy({
        isKnownCategory: base.isKnownCategory,
        nonGrantableReason: (scope) => (scope.kind === 'category' && scope.category === 'chat' ? 'chat is now non-grantable' : base.nonGrantableReason(scope)),
      });
      await refusedWithoutChange(h, () => h.store.approve({ grantId: g.id, by: 'gsm-labour' }), 'WF_ERR_FORBIDDEN', 'chat is now non-grantable');
    });

    test('decline, then nothing else: decisions on a non-pending grant are refused', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store);
      const d = await h.store.decline({ grantId: g.id, by: 'gsm-labour', note: 'use the council briefing instead' });
      assert.equal(d.status, 'declined');
      assert.equal(d.decisionNote, 'use the council briefing instead');
      assert.equal(d.expiresAt, null);
      await refusedWithoutChange(h, () => h.store.approve({ grantId: g.id, by: 'gsm-labour' }), 'WF_ERR_GRANT_STATE', 'declined');
      await refusedWithoutChange(h, () => h.store.decline({ grantId: g.id, by: 'gsm-labour' }), 'WF_ERR_GRANT_STATE');
      await refusedWithoutChange(h, () => h.store.revoke({ grantId: g.id, by: 'gsm-labour' }), 'WF_ERR_GRANT_STATE', 'only an approved grant');
      const fresh = await ask(h.store);
      assert.equal(fresh.status, 'pending', 'a declined request does not block asking again');
      await refusedWithoutChange(h, () => h.store.revoke({ grantId: fresh.id, by: 'gsm-labour' }), 'WF_ERR_GRANT_STATE', 'pending');
    });

    test('revoke: the GSM of the group or an administrator; not another group; not once expired', async (t) => {
      const h = await setup(t, create);
      const approve = async (member: string, scope: GrantScope = porn) => (await h.store.approve({ grantId: (await ask(h.store, member, scope)).id, by: member === 'carol' ? 'gsm-green' : 'gsm-labour', days: 1 })).id;
      const a = await approve('alice');
      await refusedWithoutChange(h, () => h.store.revoke({ grantId: a, by: 'gsm-green' }), 'WF_ERR_FORBIDDEN', 'green');
      await refusedWithoutChange(h, () => h.store.revoke({ grantId: a, by: 'auditor1' }), 'WF_ERR_FORBIDDEN', 'auditor');
      const r = await h.store.revoke({ grantId: a, by: 'gsm-labour', note: 'no longer needed' });
      assert.deepEqual([r.status, r.revokedBy, r.revokedAt, r.revokeNote], ['revoked', 'gsm-labour', h.now, 'no longer needed']);
      assert.equal(r.decidedBy, 'gsm-labour', 'the approval stays on record');
      await refusedWithoutChange(h, () => h.store.revoke({ grantId: a, by: 'gsm-labour' }), 'WF_ERR_GRANT_STATE', 'revoked');
      assert.equal((await h.store.revoke({ grantId: await approve('carol'), by: 'admin1' })).revokedBy, 'admin1');
      // Revoking one's own grant only takes access away: allowed.
      assert.equal((await h.store.revoke({ grantId: await approve('dave'), by: 'dave-gsm' })).status, 'revoked');
      const late = await approve('bob');
      h.now += DAY_MS;
      await refusedWithoutChange(h, () => h.store.revoke({ grantId: late, by: 'gsm-labour' }), 'WF_ERR_GRANT_STATE', 'expired');
    });

    test('expireDue marks approved grants at or past their expiry, once, as system', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store);
      await h.store.approve({ grantId: g.id, by: 'gsm-labour', expiresAt: T0 + 10_000 });
      const pending = await ask(h.store, 'bob');
      assert.deepEqual(await h.store.expireDue(T0 + 9_999), []);
      const expired = await h.store.expireDue(T0 + 10_000);
      assert.deepEqual(expired.map((e) => [e.id, e.status, e.updatedAt]), [[g.id, 'expired', T0 + 10_000]]);
      assert.deepEqual(await h.store.expireDue(T0 + 20_000), []);
      assert.equal((await h.store.get(pending.id))!.status, 'pending');
      const last = (await h.store.auditEvents({ subject: g.id })).at(-1)!;
      assert.deepEqual([last.action, last.actor, (last.before as { status: string }).status], ['expire', 'system', 'approved']);
      await refusedWithoutChange(h, () => h.store.revoke({ grantId: g.id, by: 'gsm-labour' }), 'WF_ERR_GRANT_STATE', 'expired');
    });

    test('activeGrants: approved and unexpired only, honoured to the millisecond by decide()', async (t) => {
      const h = await setup(t, create);
      const T = T0 + 3_600_000;
      const live = (await h.store.approve({ grantId: (await ask(h.store)).id, by: 'gsm-labour', expiresAt: T })).id;
      await ask(h.store, 'bob');
      const declined = await ask(h.store, 'dave');
      await h.store.decline({ grantId: declined.id, by: 'gsm-labour' });
      const revoked = await h.store.approve({ grantId: (await ask(h.store, 'carol')).id, by: 'gsm-green' });
      await h.store.revoke({ grantId: revoked.id, by: 'gsm-green' });

      const index = await buildActiveGrants(h.store, T - 1);
      assert.deepEqual([...index.keys()], ['alice']);
      assert.deepEqual(index.get('alice')!.map((g) => g.id), [live]);
      assert.equal((await h.store.activeGrants(T)).size, 0);

      const policy = buildPolicy([{ id: 'pornography', title: 'P', definition: '', optional: false, grantable: true }], {});
      const target = normaliseUrl('http://www.blocked-porn.test/');
      const classification: Classification = {
        categories: ['pornography'],
        matches: [{ category: 'pornography', list: 'pornography', kind: 'domain', entry: 'blocked-porn.test', file: 'pornography/domains', line: 1, grantable: true, source: 'local' }],
        trusted: false,
      };
      const alice = { id: 'alice', name: 'Alice', groupId: 'labour' };
      const grants = index.get('alice')!;
      assert.equal(decide(classification, target, alice, grants, policy, T - 1).action, 'allow-by-grant');
      // The same index, built before the expiry, no longer honours it at T: no lag.
      assert.equal(decide(classification, target, alice, grants, policy, T).action, 'block');
      const carol = { id: 'carol', name: 'Carol', groupId: 'green' };
      assert.equal(decide(classification, target, carol, (await buildActiveGrants(h.store, T0)).get('carol') ?? [], policy, T0).action, 'block');
    });

    test('list filters by status, member, group and request time; history is newest first', async (t) => {
      const h = await setup(t, create);
      const a1 = await ask(h.store, 'alice');
      h.now += 1_000;
      const c1 = await ask(h.store, 'carol');
      h.now += 1_000;
      const a2 = await ask(h.store, 'alice', { kind: 'category', category: 'chat' });
      await h.store.approve({ grantId: a2.id, by: 'gsm-labour' });
      const ids = (records: GrantRecord[]) => records.map((r) => r.id);
      assert.deepEqual(ids(await h.store.list()), [a2.id, c1.id, a1.id]);
      assert.deepEqual(ids(await h.store.list({ status: 'pending' })), [c1.id, a1.id]);
      assert.deepEqual(ids(await h.store.list({ status: ['approved', 'declined'] })), [a2.id]);
      assert.deepEqual(ids(await h.store.list({ memberId: 'alice' })), [a2.id, a1.id]);
      assert.deepEqual(ids(await h.store.list({ groupId: 'green' })), [c1.id]);
      assert.deepEqual(ids(await h.store.list({ groupId: 'labour', status: 'pending' })), [a1.id]);
      assert.deepEqual(ids(await h.store.list({ from: T0 + 1_000, to: T0 + 2_000 })), [c1.id]);
      assert.deepEqual(ids(await h.store.list({ limit: 1 })), [a2.id]);
      assert.deepEqual(ids(await h.store.history('alice')), [a2.id, a1.id]);
      assert.deepEqual(await h.store.history('bob'), []);
      await assert.rejects(h.store.list({ status: 'bogus' as never }), fails('WF_ERR_INVALID_INPUT', 'bogus'));
      assert.equal(await h.store.get('g_ffffffffffffffff'), null);
    });

    test('the audit trail holds every step in order, filterable by subject, actor, action and time', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store);
      h.now += 1_000;
      await h.store.approve({ grantId: g.id, by: 'gsm-labour', days: 1 });
      h.now += 1_000;
      await h.store.revoke({ grantId: g.id, by: 'admin1', note: 'incident' });
      const other = await ask(h.store, 'carol');
      const trail = await h.store.auditEvents({ subject: g.id });
      assert.deepEqual(
        trail.map((e) => [e.action, e.actor, e.at]),
        [
          ['request', 'member:alice', T0],
          ['approve', 'staff:gsm-labour', T0 + 1_000],
          ['revoke', 'staff:admin1', T0 + 2_000],
        ],
      );
      for (let i = 1; i < trail.length; i++) {
        assert.ok(trail[i]!.id > trail[i - 1]!.id);
        assert.deepEqual(trail[i]!.before, trail[i - 1]!.after, 'each step starts where the last ended');
      }
      assert.equal((trail[2]!.after as { revokeNote: string }).revokeNote, 'incident');
      assert.deepEqual((await h.store.auditEvents({ actor: 'staff:admin1' })).map((e) => e.action), ['revoke']);
      assert.deepEqual((await h.store.auditEvents({ action: 'request' })).map((e) => e.subject), [g.id, other.id]);
      assert.deepEqual((await h.store.auditEvents({ from: T0 + 1_000, to: T0 + 2_000 })).map((e) => e.action), ['approve']);
      const all = await h.store.auditEvents({ action: 'request' });
      assert.deepEqual(await h.store.auditEvents({ action: 'request', limit: 1 }), [all.at(-1)], 'a limit keeps the latest');
    });

    test('audit events cannot be updated or deleted', async (t) => {
      const h = await setup(t, create);
      const g = await ask(h.store);
      const [event] = await h.store.auditEvents({ subject: g.id });
      await assert.rejects(h.world.tamperWithAudit('update', event!.id), /append-only/);
      await assert.rejects(h.world.tamperWithAudit('delete', event!.id), /append-only/);
      assert.deepEqual(await h.store.auditEvents({ subject: g.id }), [event]);
    });

    test('two deciders racing on one grant: exactly one wins, the other is told it moved on', async (t) => {
      const h = await setup(t, create);
      const other = await h.world.openAnother();
      const races = [
        [(id: string) => h.store.approve({ grantId: id, by: 'gsm-labour' }), (id: string) => other.approve({ grantId: id, by: 'dave-gsm' })],
        [(id: string) => h.store.approve({ grantId: id, by: 'gsm-labour' }), (id: string) => other.decline({ grantId: id, by: 'dave-gsm' })],
      ] as const;
      for (const [i, [first, second]] of races.entries()) {
        const g = await ask(h.store, 'alice', { kind: 'url', prefix: `blocked-porn.test/race-${i}/` });
        const results = await Promise.allSettled([first(g.id), second(g.id)]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, 'exactly one decision wins');
        assert.equal(lost.length, 1);
        assert.ok(isWfError(lost[0]!.reason, 'WF_ERR_GRANT_STATE'), String(lost[0]!.reason));
        const decisions = (await h.store.auditEvents({ subject: g.id })).filter((e) => e.action !== 'request');
        assert.equal(decisions.length, 1, 'one decision on record');
        assert.deepEqual(await other.get(g.id), await h.store.get(g.id));
      }
    });
  });
}
