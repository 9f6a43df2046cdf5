import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { isWfError, type WfErrorCode } from '../../src/errors.ts';
import { SqliteGrantStore } from '../../src/grants/sqlite-grant-store.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import type { Database } from '../../src/store/database.ts';
import { fakeGrantPolicy } from './fake-grant-policy.ts';
import { tempDatabase } from '../helpers/temp-database.ts';

const T0 = Date.UTC(2026, 3, 1, 8, 0, 0);
const PASSWORD = 'gsm password 1';
let hash: Promise<string> | undefined;
const theHash = () => (hash ??= hashPassword(PASSWORD));

function fails(code: WfErrorCode, ...fragments: string[]) {
  return (error: unknown) => {
    assert.ok(isWfError(error, code), `expected ${code}, got ${String(error)}`);
    for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" lacks "${f}"`);
    return true;
  };
}

function open(t: { after(fn: () => void): void }, clock = { now: T0 }): { db: Database; staff: StaffStore; clock: { now: number } } {
  const db = tempDatabase(t, 'wardgate-staff-');
  const directory = new DirectoryStore(db);
  directory.addGroup({ id: 'labour', name: 'Labour' });
  directory.addMember({ id: 'alice', name: 'Alice', groupId: 'labour' });
  return { db, staff: new StaffStore(db, { clock: () => clock.now, maxFailedLogins: 3, lockoutMs: 60_000 }), clock };
}

test('add: a gsm needs an existing group; admins and auditors have none; ids, names and links are checked', async (t) => {
  const { staff } = open(t);
  const h = await theHash();
  const gsm = staff.add({ id: 'gsm1', name: ' Pat GSM ', role: 'gsm', groupId: 'labour', memberId: 'alice', passwordHash: h }, 'cli:root');
  assert.deepEqual(
    { ...gsm },
    { id: 'gsm1', name: 'Pat GSM', role: 'gsm', groupId: 'labour', memberId: 'alice', disabled: false, failedLogins: 0, lockedUntil: null, email: null, createdAt: T0, updatedAt: T0 },
  );
  assert.equal(staff.add({ id: 'ict', role: 'admin', passwordHash: h }, 'cli:root').name, 'ict', 'the name defaults to the id');
  assert.throws(() => staff.add({ id: 'x', role: 'gsm', passwordHash: h }, 'cli:root'), fails('WF_ERR_INVALID_INPUT', '--group'));
  assert.throws(() => staff.add({ id: 'x', role: 'auditor', groupId: 'labour', passwordHash: h }, 'cli:root'), fails('WF_ERR_INVALID_INPUT', 'no group'));
  assert.throws(() => staff.add({ id: 'x', role: 'gsm', groupId: 'nope', passwordHash: h }, 'cli:root'), fails('WF_ERR_NOT_FOUND', 'nope'));
  assert.throws(() => staff.add({ id: 'x', role: 'boss' as never, passwordHash: h }, 'cli:root'), fails('WF_ERR_INVALID_INPUT', 'gsm, admin or auditor'));
  assert.throws(() => staff.add({ id: 'Bad Id', role: 'admin', passwordHash: h }, 'cli:root'), fails('WF_ERR_INVALID_INPUT', 'not valid'));
  assert.throws(() => staff.add({ id: 'gsm1', role: 'admin', passwordHash: h }, 'cli:root'), fails('WF_ERR_CONFLICT', 'already exists'));
  assert.throws(() => staff.add({ id: 'x', role: 'admin', memberId: 'alice', passwordHash: h }, 'cli:root'), fails('WF_ERR_CONFLICT', 'gsm1'));
  assert.throws(() => staff.add({ id: 'x', role: 'admin', memberId: 'zed', passwordHash: h }, 'cli:root'), fails('WF_ERR_NOT_FOUND', 'zed'));
  assert.throws(() => staff.add({ id: 'x', role: 'admin', passwordHash: 'plain text' }, 'cli:root'), fails('WF_ERR_INVALID_INPUT', 'scrypt'));
  assert.deepEqual(staff.list().map((s) => s.id), ['gsm1', 'ict']);
  assert.ok(!('passwordHash' in staff.get('gsm1')!), 'records never carry the hash');
});

test('every staff change is audited, and no audit event holds a hash', async (t) => {
  const { db, staff } = open(t);
  const h = await theHash();
  staff.add({ id: 'gsm1', role: 'gsm', groupId: 'labour', passwordHash: h }, 'cli:root');
  staff.setPassword('gsm1', await hashPassword('another password'), 'cli:root');
  staff.setDisabled('gsm1', true, 'staff:ict');
  staff.setDisabled('gsm1', false, 'staff:ict');
  staff.remove('gsm1', 'cli:root');
  const events = queryAuditEvents(db, { subject: 'staff:gsm1' });
  assert.deepEqual(events.map((e) => [e.action, e.actor]), [
    ['staff-add', 'cli:root'],
    ['staff-passwd', 'cli:root'],
    ['staff-disable', 'staff:ict'],
    ['staff-enable', 'staff:ict'],
    ['staff-remove', 'cli:root'],
  ]);
  assert.equal((events[2]!.after as { disabled: boolean }).disabled, true);
  assert.equal(events[4]!.after, null);
  assert.doesNotMatch(JSON.stringify(events), /scrypt/);
  assert.equal(staff.get('gsm1'), null);
  assert.throws(() => staff.remove('gsm1', 'cli:root'), fails('WF_ERR_NOT_FOUND', 'gsm1'));
});

test('an account that decided a grant cannot be removed, only disabled', async (t) => {
  const { db, staff } = open(t);
  staff.add({ id: 'gsm1', role: 'gsm', groupId: 'labour', passwordHash: await theHash() }, 'cli:root');
  const grants = new SqliteGrantStore(db, { policy: () => fakeGrantPolicy(), clock: () => T0 });
  const g = await grants.request({ memberId: 'alice', scope: { kind: 'category', category: 'chat' }, reason: 'r', requestedBy: 'member:alice' });
  await grants.decline({ grantId: g.id, by: 'gsm1' });
  assert.throws(() => staff.remove('gsm1', 'cli:root'), fails('WF_ERR_CONFLICT', 'disable it instead'));
  assert.equal(staff.setDisabled('gsm1', true, 'cli:root').disabled, true);
});

test('authenticate: right password signs in; wrong password and unknown user get the same answer', async (t) => {
  const { staff } = open(t);
  staff.add({ id: 'gsm1', role: 'gsm', groupId: 'labour', passwordHash: await theHash() }, 'cli:root');
  assert.equal((await staff.authenticate('gsm1', PASSWORD)).id, 'gsm1');
  await assert.rejects(staff.authenticate('gsm1', 'wrong password'), fails('WF_ERR_AUTH', 'wrong user name or password'));
  await assert.rejects(staff.authenticate('nobody', PASSWORD), fails('WF_ERR_AUTH', 'wrong user name or password'));
  staff.setDisabled('gsm1', true, 'cli:root');
  await assert.rejects(staff.authenticate('gsm1', PASSWORD), fails('WF_ERR_AUTH', 'disabled'));
});

test('authenticate: repeated failures lock the account for a while, even against the right password', async (t) => {
  const { db, staff, clock } = open(t);
  staff.add({ id: 'gsm1', role: 'gsm', groupId: 'labour', passwordHash: await theHash() }, 'cli:root');
  await assert.rejects(staff.authenticate('gsm1', 'nope 1'), fails('WF_ERR_AUTH'));
  await assert.rejects(staff.authenticate('gsm1', 'nope 2'), fails('WF_ERR_AUTH'));
  assert.equal(staff.get('gsm1')!.failedLogins, 2);
  await assert.rejects(staff.authenticate('gsm1', 'nope 3'), fails('WF_ERR_AUTH', 'wrong'));
  assert.equal(staff.get('gsm1')!.lockedUntil, T0 + 60_000);
  await assert.rejects(staff.authenticate('gsm1', PASSWORD), fails('WF_ERR_AUTH', 'locked until'));
  assert.deepEqual(queryAuditEvents(db, { action: 'staff-locked' }).map((e) => [e.actor, e.subject]), [['system', 'staff:gsm1']]);
  clock.now += 60_000;
  assert.equal((await staff.authenticate('gsm1', PASSWORD)).lockedUntil, null, 'the lock lapses and success resets it');
  for (let i = 0; i < 3; i++) await assert.rejects(staff.authenticate('gsm1', 'nope'), fails('WF_ERR_AUTH'));
  staff.setDisabled('gsm1', false, 'cli:root');
  assert.equal((await staff.authenticate('gsm1', PASSWORD)).id, 'gsm1', 'enabling an account lifts its lockout');
});
