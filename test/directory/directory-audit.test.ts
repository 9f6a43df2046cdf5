/**
 * The directory's audit events, at the store (DirectoryStore writes them, so
 * every entry point gets them): one event per change with its actor, subject
 * and before/after; never a password hash; no event for a refused change or
 * for one that changes nothing; and a change whose event cannot be written
 * is not made either (one transaction).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { isWfError } from '../../src/errors.ts';
import type { AuditEvent } from '../../src/grants/grant-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import type { Database } from '../../src/store/database.ts';
import { tempDatabase } from '../helpers/temp-database.ts';

const T0 = Date.UTC(2026, 10, 1, 10, 0, 0);
const ADMIN = 'staff:admin1';

function open(t: { after(fn: () => void): void }): { db: Database; store: DirectoryStore } {
  const db = tempDatabase(t, 'wardgate-dir-audit-');
  return { db, store: new DirectoryStore(db, { clock: () => T0 }) };
}

/** The events committed after `afterId`, without their ids (which only count). */
function eventsAfter(db: Database, afterId: number): Omit<AuditEvent, 'id'>[] {
  return queryAuditEvents(db, { afterId }).map(({ id: _id, ...rest }) => rest);
}

function lastId(db: Database): number {
  return queryAuditEvents(db, { limit: 1 }).at(-1)?.id ?? 0;
}

/** Runs `change`, asserts it throws `code` and that the trail did not grow. */
function refusedWithoutEvent(db: Database, code: string, change: () => unknown): void {
  const before = lastId(db);
  assert.throws(change, (error: unknown) => isWfError(error) && error.code === code);
  assert.equal(lastId(db), before, 'a refused change writes no audit event');
}

test('groups: add, rename and remove each write one event with actor, subject and before/after', (t) => {
  const { db, store } = open(t);
  store.addGroup({ id: 'indep', name: 'Independent' }, ADMIN);
  store.renameGroup('indep', 'Independents', 'cli:ops');
  store.removeGroup('indep', ADMIN);
  assert.deepEqual(eventsAfter(db, 0), [
    { at: T0, actor: ADMIN, action: 'group-add', subject: 'group:indep', before: null, after: { id: 'indep', name: 'Independent' } },
    { at: T0, actor: 'cli:ops', action: 'group-rename', subject: 'group:indep', before: { id: 'indep', name: 'Independent' }, after: { id: 'indep', name: 'Independents' } },
    { at: T0, actor: ADMIN, action: 'group-remove', subject: 'group:indep', before: { id: 'indep', name: 'Independents' }, after: null },
  ]);
});

test('members: add, edit, addresses and remove carry the member before and after; remove says what was removed', (t) => {
  const { db, store } = open(t);
  store.addGroup({ id: 'labour', name: 'Labour' }, ADMIN);
  store.addGroup({ id: 'green', name: 'Green' }, ADMIN);
  const start = lastId(db);
  const added = { id: 'carol', name: 'Carol', groupId: 'labour', email: 'carol@council.example', hasPassword: false, ips: ['192.0.2.20'] };
  store.addMember({ id: 'carol', name: 'Carol', groupId: 'labour', ips: ['192.0.2.20'], email: 'carol@council.example' }, ADMIN);
  store.updateMember('carol', { name: 'Carol B', groupId: 'green' }, ADMIN);
  const edited = { ...added, name: 'Carol B', groupId: 'green' };
  store.setEmail('carol', null, 'cli:ops');
  const noEmail = { ...edited, email: null };
  store.setIps('carol', ['::ffff:192.0.2.21', '192.0.2.22'], ADMIN);
  const moved = { ...noEmail, ips: ['192.0.2.21', '192.0.2.22'] };
  store.setIps('carol', [], ADMIN);
  const cleared = { ...moved, ips: [] };
  store.removeMember('carol', ADMIN);
  assert.deepEqual(eventsAfter(db, start), [
    { at: T0, actor: ADMIN, action: 'member-add', subject: 'member:carol', before: null, after: added },
    { at: T0, actor: ADMIN, action: 'member-edit', subject: 'member:carol', before: added, after: edited },
    { at: T0, actor: 'cli:ops', action: 'member-edit', subject: 'member:carol', before: edited, after: noEmail },
    { at: T0, actor: ADMIN, action: 'member-ips', subject: 'member:carol', before: noEmail, after: moved },
    { at: T0, actor: ADMIN, action: 'member-ips', subject: 'member:carol', before: moved, after: cleared },
    { at: T0, actor: ADMIN, action: 'member-remove', subject: 'member:carol', before: cleared, after: null },
  ]);
});

test('passwords: set, changed and cleared are events that show only whether there is one, never the hash', async (t) => {
  const { db, store } = open(t);
  store.addGroup({ id: 'labour', name: 'Labour' }, ADMIN);
  const first = await hashPassword('first proxy secret');
  const second = await hashPassword('second proxy secret');
  store.addMember({ id: 'dan', name: 'Dan', groupId: 'labour', passwordHash: first }, ADMIN);
  const start = lastId(db);
  store.setPassword('dan', second, ADMIN);
  store.setPassword('dan', null, ADMIN);
  store.setPassword('dan', first, 'cli:ops');
  const trail = eventsAfter(db, start);
  assert.deepEqual(
    trail.map((e) => [e.action, e.actor, (e.before as { hasPassword: boolean }).hasPassword, (e.after as { hasPassword: boolean }).hasPassword]),
    [
      ['member-passwd', ADMIN, true, true],
      ['member-passwd', ADMIN, true, false],
      ['member-passwd', 'cli:ops', false, true],
    ],
  );
  // The raw rows, not just the parsed view: no hash (nor any part of its salt or key) is stored in the trail.
  const raw = db.prepare<[], { before: string | null; after: string | null }>('SELECT before, after FROM audit_events').all();
  const text = JSON.stringify(raw);
  for (const hash of [first, second]) {
    for (const part of hash.split('$').filter((p) => p.length >= 16)) assert.ok(!text.includes(part), 'no part of a hash is in the trail');
  }
  assert.doesNotMatch(text, /scrypt|passwordHash|secret/);
});

test('refused changes write no event, and nothing changes', (t) => {
  const { db, store } = open(t);
  store.addGroup({ id: 'labour', name: 'Labour' }, ADMIN);
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', ips: ['192.0.2.10'] }, ADMIN);
  refusedWithoutEvent(db, 'WF_ERR_CONFLICT', () => store.addGroup({ id: 'labour', name: 'Again' }, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_CONFLICT', () => store.addMember({ id: 'alice', name: 'Alice again', groupId: 'labour' }, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_NOT_FOUND', () => store.addMember({ id: 'bob', name: 'Bob', groupId: 'nosuch' }, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_CONFLICT', () => store.addMember({ id: 'bob', name: 'Bob', groupId: 'labour', ips: ['192.0.2.10'] }, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_INVALID_INPUT', () => store.addMember({ id: 'Bad Id', name: 'Bob', groupId: 'labour' }, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_NOT_FOUND', () => store.updateMember('alice', { groupId: 'nosuch' }, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_NOT_FOUND', () => store.updateMember('nobody', { name: 'X' }, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_INVALID_INPUT', () => store.setEmail('alice', 'not an address', ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_INVALID_INPUT', () => store.setIps('alice', ['10.0.0.0/8'], ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_NOT_FOUND', () => store.setPassword('nobody', null, ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_NOT_FOUND', () => store.renameGroup('nosuch', 'X', ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_CONFLICT', () => store.removeGroup('labour', ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_NOT_FOUND', () => store.removeMember('nobody', ADMIN));
  assert.deepEqual(store.getMember('alice'), { id: 'alice', name: 'Alice', groupId: 'labour', passwordHash: null, ips: ['192.0.2.10'], email: null });
});

test('a member linked to a staff account cannot be removed, and the refusal writes no event', async (t) => {
  const { db, store } = open(t);
  store.addGroup({ id: 'labour', name: 'Labour' }, ADMIN);
  store.addMember({ id: 'gina', name: 'Gina', groupId: 'labour' }, ADMIN);
  new StaffStore(db).add({ id: 'gina-gsm', role: 'gsm', groupId: 'labour', memberId: 'gina', passwordHash: await hashPassword('staff password') }, ADMIN);
  refusedWithoutEvent(db, 'WF_ERR_CONFLICT', () => store.removeMember('gina', ADMIN));
  refusedWithoutEvent(db, 'WF_ERR_CONFLICT', () => store.removeGroup('labour', ADMIN));
});

test('a change that changes nothing writes no event', (t) => {
  const { db, store } = open(t);
  store.addGroup({ id: 'labour', name: 'Labour' }, ADMIN);
  store.addMember({ id: 'alice', name: 'Alice', groupId: 'labour', ips: ['192.0.2.10'], email: 'alice@council.example' }, ADMIN);
  const start = lastId(db);
  store.renameGroup('labour', ' Labour ', ADMIN);
  store.updateMember('alice', { name: 'Alice', groupId: 'labour', email: 'alice@council.example' }, ADMIN);
  store.setEmail('alice', 'alice@council.example', ADMIN);
  store.setIps('alice', ['::ffff:192.0.2.10'], ADMIN);
  store.setPassword('alice', null, ADMIN);
  assert.equal(lastId(db), start);
});

test('the event is part of the change: a malformed actor refuses the change, which is then not made', (t) => {
  const { db, store } = open(t);
  refusedWithoutEvent(db, 'WF_ERR_INVALID_INPUT', () => store.addGroup({ id: 'labour', name: 'Labour' }, 'somebody'));
  assert.deepEqual(store.listGroups(), []);
});

test('seeding code that names no actor is recorded as "system"', (t) => {
  const { db, store } = open(t);
  store.addGroup({ id: 'labour', name: 'Labour' });
  assert.equal(queryAuditEvents(db)[0]!.actor, 'system');
});
