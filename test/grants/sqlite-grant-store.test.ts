/**
 * The SQLite GrantStore: the shared contract suite, plus what only SQLite
 * can show: the schema's own guards (append-only triggers, CHECKs), a change
 * whose audit event fails leaving nothing behind, and a race between
 * separate processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { isWfError } from '../../src/errors.ts';
import { SqliteGrantStore } from '../../src/grants/sqlite-grant-store.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { fakeGrantPolicy } from './fake-grant-policy.ts';
import { grantStoreTests, T0, type ContractEnv, type ContractWorld } from './grant-store.contract.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./approve-race-worker.ts', import.meta.url));

/** One hash for every staff account in these tests: scrypt is deliberately slow. */
let sharedHash: Promise<string> | undefined;
const staffHash = () => (sharedHash ??= hashPassword('staff password'));

async function createSqliteWorld(env: ContractEnv): Promise<ContractWorld & { db: Database; dataDir: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-grants-'));
  const dataDir = path.join(root, 'data');
  const db = openDatabase(dataDir);
  const extra: Database[] = [];
  const directory = new DirectoryStore(db);
  const staff = new StaffStore(db, { clock: env.clock });
  return {
    db,
    dataDir,
    store: new SqliteGrantStore(db, env),
    async openAnother() {
      const other = openDatabase(dataDir);
      extra.push(other);
      return new SqliteGrantStore(other, env);
    },
    async addGroup(id) {
      directory.addGroup({ id, name: id });
    },
    async addMember(id, groupId) {
      directory.addMember({ id, name: id, groupId });
    },
    async addStaff(s) {
      staff.add({ id: s.id, role: s.role, groupId: s.groupId ?? null, memberId: s.memberId ?? null, passwordHash: await staffHash() }, 'cli:test');
      if (s.disabled === true) staff.setDisabled(s.id, true, 'cli:test');
    },
    async tamperWithAudit(kind, eventId) {
      if (kind === 'update') db.prepare(`UPDATE audit_events SET actor = 'staff:mallory' WHERE id = ?`).run(eventId);
      else db.prepare('DELETE FROM audit_events WHERE id = ?').run(eventId);
    },
    async close() {
      for (const other of extra) other.close();
      db.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

grantStoreTests('sqlite', createSqliteWorld);

async function seeded(t: { after(fn: () => Promise<void>): void }, now = { value: T0 }) {
  const world = await createSqliteWorld({ clock: () => now.value, policy: () => fakeGrantPolicy() });
  t.after(() => world.close());
  await world.addGroup('labour');
  await world.addMember('alice', 'labour');
  for (const id of ['gsm-a', 'gsm-b', 'gsm-c', 'gsm-d']) await world.addStaff({ id, role: 'gsm', groupId: 'labour' });
  return world;
}

test('sqlite: audit rows refuse UPDATE and DELETE at the SQL level, even in bulk', async (t) => {
  const world = await seeded(t);
  await world.store.request({ memberId: 'alice', scope: { kind: 'category', category: 'chat' }, reason: 'r', requestedBy: 'member:alice' });
  const count = () => (world.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n;
  const before = count();
  assert.ok(before >= 5);
  assert.throws(() => world.db.exec(`UPDATE audit_events SET after = NULL`), /append-only/);
  assert.throws(() => world.db.exec(`DELETE FROM audit_events`), /append-only/);
  assert.equal(count(), before);
});

test('sqlite: the schema itself refuses a grant in an impossible state', async (t) => {
  const world = await seeded(t);
  const insert = (status: string, extra = '') =>
    world.db.exec(
      `INSERT INTO grants (id, member_id, scope_kind, scope_value, reason, requested_at, requested_by, status, updated_at ${extra ? ', decided_by, decided_at' : ''})
       VALUES ('g_x', 'alice', 'domain', 'x.test', 'r', 't', 'member:alice', '${status}', 't' ${extra})`,
    );
  assert.throws(() => insert('approved', ", 'gsm-a', 't'"), /CHECK/, 'approved needs an expiry');
  assert.throws(() => insert('declined'), /CHECK/, 'a decision needs a decider');
  assert.throws(() => insert('maybe'), /CHECK/);
});

test('sqlite: when the audit event cannot be written, the decision is not written either', async (t) => {
  const world = await seeded(t);
  const g = await world.store.request({ memberId: 'alice', scope: { kind: 'domain', domain: 'x.test' }, reason: 'r', requestedBy: 'member:alice' });
  world.db.exec(`CREATE TRIGGER test_fail_approve BEFORE INSERT ON audit_events WHEN NEW.action = 'approve'
                 BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
  await assert.rejects(world.store.approve({ grantId: g.id, by: 'gsm-a' }), (e: unknown) => isWfError(e, 'WF_ERR_STORE') && /disk full/.test(e.message));
  assert.equal((await world.store.get(g.id))!.status, 'pending');
  assert.deepEqual((await world.store.auditEvents({ subject: g.id })).map((e) => e.action), ['request']);
  world.db.exec('DROP TRIGGER test_fail_approve');
  assert.equal((await world.store.approve({ grantId: g.id, by: 'gsm-a' })).status, 'approved');
});

function runContender(dataDir: string, grantId: string, staffId: string, startAt: number): Promise<{ ok: boolean; code?: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dataDir, grantId, staffId, String(startAt)], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as { ok: boolean; code?: string });
      } catch {
        reject(new Error(`contender exited ${code}: ${err || out}`));
      }
    });
  });
}

test('sqlite: four processes approve the same grant at once: exactly one wins', { timeout: 60_000 }, async (t) => {
  const world = await seeded(t, { value: Date.now() });
  const g = await world.store.request({ memberId: 'alice', scope: { kind: 'domain', domain: 'race.test' }, reason: 'r', requestedBy: 'member:alice' });
  // Far enough ahead for every process to have started (tsx compiles on start-up).
  const startAt = Date.now() + 4_000;
  const results = await Promise.all(['gsm-a', 'gsm-b', 'gsm-c', 'gsm-d'].map((staff) => runContender(world.dataDir, g.id, staff, startAt)));
  assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
  for (const r of results.filter((r) => !r.ok)) assert.equal(r.code, 'WF_ERR_GRANT_STATE', JSON.stringify(r));
  const decided = await world.store.get(g.id);
  assert.equal(decided!.status, 'approved');
  const approvals = (await world.store.auditEvents({ subject: g.id })).filter((e) => e.action === 'approve');
  assert.equal(approvals.length, 1);
  assert.equal(approvals[0]!.actor, `staff:${decided!.decidedBy}`);
});
