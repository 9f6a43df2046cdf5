import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliIO } from '../../src/cli/cli-io.ts';
import { describeChange, runAuditCommand } from '../../src/cli/audit-command.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { SqliteGrantStore } from '../../src/grants/sqlite-grant-store.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import { openDatabase } from '../../src/store/database.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { fakeGrantPolicy } from '../grants/fake-grant-policy.ts';

const T0 = Date.UTC(2026, 4, 10, 9, 0, 0);

/** A store with a known history: three days, one event type a day. */
async function seeded(t: { after(fn: () => void): void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-audit-cli-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  const db = openDatabase(dataDir);
  const clock = { now: T0 };
  try {
    const directory = new DirectoryStore(db, { clock: () => clock.now });
    directory.addGroup({ id: 'labour', name: 'Labour' });
    directory.addMember({ id: 'alice', name: 'Alice', groupId: 'labour' });
    new StaffStore(db, { clock: () => clock.now }).add({ id: 'gsm1', role: 'gsm', groupId: 'labour', passwordHash: await hashPassword('staff password') }, 'cli:setup');
    const store = new SqliteGrantStore(db, { policy: () => fakeGrantPolicy(), clock: () => clock.now });
    const g = await store.request({ memberId: 'alice', scope: { kind: 'category', category: 'chat' }, reason: 'casework', requestedBy: 'member:alice' });
    clock.now += 86_400_000;
    await store.approve({ grantId: g.id, by: 'gsm1', days: 30 });
    clock.now += 86_400_000;
    await store.revoke({ grantId: g.id, by: 'gsm1' });
    const audit = async (argv: string[]) => {
      const io = memoryIO('', {});
      const code = await runAuditCommand([...argv, '--data-dir', dataDir], io as CliIO);
      return { code, stdout: io.out(), stderr: io.err() };
    };
    return { audit, grantId: g.id };
  } finally {
    db.close();
  }
}

const actions = (stdout: string) => stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);

test('audit events: filters by subject, actor, action, day range and limit; JSON has ISO times and before/after', async (t) => {
  const { audit, grantId } = await seeded(t);
  assert.deepEqual(actions((await audit(['events', '--json'])).stdout), ['group-add', 'member-add', 'staff-add', 'request', 'approve', 'revoke']);
  assert.deepEqual(actions((await audit(['events', '--subject', grantId, '--json'])).stdout), ['request', 'approve', 'revoke']);
  assert.deepEqual(actions((await audit(['events', '--actor', 'staff:gsm1', '--json'])).stdout), ['approve', 'revoke']);
  assert.deepEqual(actions((await audit(['events', '--action', 'approve', '--json'])).stdout), ['approve']);
  assert.deepEqual(actions((await audit(['events', '--from', '2026-05-11', '--json'])).stdout), ['approve', 'revoke']);
  assert.deepEqual(actions((await audit(['events', '--to', '2026-05-11', '--json'])).stdout), ['group-add', 'member-add', 'staff-add', 'request', 'approve'], '--to includes its day');
  assert.deepEqual(actions((await audit(['events', '--from', '2026-05-11T09:00Z', '--to', '2026-05-11T09:00:00.001Z', '--json'])).stdout), ['approve']);
  assert.deepEqual(actions((await audit(['events', '--limit', '2', '--json'])).stdout), ['approve', 'revoke'], 'the latest two');
  const [first] = (await audit(['events', '--subject', grantId, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(first!.at, '2026-05-10T09:00:00.000Z');
  assert.equal(first!.before, null);
  assert.equal((first!.after as { status: string }).status, 'pending');
  const table = await audit(['events', '--action', 'revoke']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^ID +AT +ACTOR +ACTION +SUBJECT +CHANGE\n\d+ +2026-05-12T09:00:00.000Z +staff:gsm1 +revoke +g_\w+ +status: approved → revoked; revokedBy: - → gsm1; revokedAt: - → 2026-05-12T09:00:00.000Z\n$/);
  assert.equal((await audit(['events', '--actor', 'member:nobody'])).stdout, 'no audit events match\n');
});

test('audit events: bad filters get one clear line', async (t) => {
  const { audit } = await seeded(t);
  const bad = async (argv: string[], code: number, message: RegExp) => {
    const o = await audit(argv);
    assert.equal(o.code, code, o.stderr);
    assert.match(o.stderr, message);
    assert.equal(o.stdout, '');
  };
  await bad(['events', '--action', 'delete'], 1, /not an audit action/);
  await bad(['events', '--from', 'yesterday'], 1, /not a date/);
  await bad(['events', '--to', '2026-05-11T09:00'], 1, /not a date/);
  await bad(['events', '--limit', '0'], 1, /positive whole number/);
  await bad(['events', 'extra'], 2, /unexpected argument/);
  await bad(['list'], 2, /unknown subcommand "list"/);
  await bad([], 2, /name a subcommand/);
});

test('describeChange: created, removed, the fields that moved, passwords only as "changed"', () => {
  assert.equal(describeChange({ action: 'request', before: null, after: { a: 1 } }), 'created');
  assert.equal(describeChange({ action: 'staff-remove', before: { a: 1 }, after: null }), 'removed');
  assert.equal(describeChange({ action: 'staff-passwd', before: { a: 1 }, after: { a: 1 } }), 'password changed');
  assert.equal(describeChange({ action: 'member-passwd', before: { hasPassword: false }, after: { hasPassword: true } }), 'password set');
  assert.equal(describeChange({ action: 'member-passwd', before: { hasPassword: true }, after: { hasPassword: true } }), 'password changed');
  assert.equal(describeChange({ action: 'member-passwd', before: { hasPassword: true }, after: { hasPassword: false } }), 'password cleared');
  assert.equal(describeChange({ action: 'edit', before: { a: 1, updatedAt: 'x', b: null }, after: { a: 2, updatedAt: 'y', b: 'z'.repeat(80) } }), `a: 1 → 2; b: - → ${'z'.repeat(57)}…`);
});
