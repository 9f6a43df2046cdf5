import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CliIO } from '../../src/cli/cli-io.ts';
import { runUsersCommand } from '../../src/cli/users-command.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { memoryIO } from '../helpers/memory-io.ts';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function setup(t: { after(fn: () => void): void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-users-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  const db = openDatabase(dataDir);
  const directory = new DirectoryStore(db);
  directory.addGroup({ id: 'labour', name: 'Labour' });
  directory.addMember({ id: 'alice', name: 'Alice', groupId: 'labour' });
  db.close();
  const users = async (argv: string[], stdin = '', tty = false): Promise<Outcome> => {
    const io = memoryIO(stdin, { USER: 'tester' });
    if (tty) Object.assign(io.stdin, { isTTY: true });
    const code = await runUsersCommand([...argv, '--data-dir', dataDir], io as CliIO);
    return { code, stdout: io.out(), stderr: io.err() };
  };
  const read = <T>(fn: (db: Database) => T): T => {
    const handle = openDatabase(dataDir);
    try {
      return fn(handle);
    } finally {
      handle.close();
    }
  };
  return { users, read, dataDir };
}

function ok(o: Outcome): Outcome {
  assert.equal(o.code, 0, `stderr: ${o.stderr}`);
  assert.equal(o.stderr, '');
  return o;
}

function failed(o: Outcome, code: 1 | 2, message: RegExp): void {
  assert.equal(o.code, code, `stdout: ${o.stdout} stderr: ${o.stderr}`);
  assert.match(o.stderr, message);
  assert.doesNotMatch(o.stderr, /\n\s+at /, 'no stack trace');
  if (code === 2) assert.match(o.stderr, /Usage: wardgate users/);
}

test('users add, list (table and JSON, never a hash), passwd, disable, enable, remove — all audited as the operator', async (t) => {
  const { users, read, dataDir } = setup(t);
  const added = ok(await users(['add', 'pat', '--role', 'gsm', '--group', 'labour', '--name', 'Pat Jones', '--password-stdin'], 'gsm password 1\n'));
  assert.equal(added.stdout, 'added staff account "pat" (Pat Jones): Group Support Manager of group "labour"\n');
  ok(await users(['add', 'ict', '--role', 'admin', '--member', 'alice', '--password-stdin'], 'admin password 1'));
  const table = ok(await users(['list']));
  assert.deepEqual(table.stdout.split('\n'), [
    'ID   NAME       ROLE   GROUP   MEMBER  EMAIL  STATE',
    'ict  ict        admin  -       alice   -      enabled',
    'pat  Pat Jones  gsm    labour  -       -      enabled',
    '',
  ]);
  const json = ok(await users(['list', '--json']));
  assert.doesNotMatch(json.stdout, /scrypt|password/i);
  assert.deepEqual(JSON.parse(json.stdout.split('\n')[1]!).groupId, 'labour');

  ok(await users(['passwd', 'pat'], 'a new password 2\n'));
  const reopened = openDatabase(dataDir);
  t.after(() => reopened.close());
  assert.equal((await new StaffStore(reopened).authenticate('pat', 'a new password 2')).id, 'pat');
  assert.equal(ok(await users(['disable', 'pat'])).stdout, 'disabled staff account "pat"\n');
  assert.match(ok(await users(['list'])).stdout, /pat .* disabled/);
  ok(await users(['enable', 'pat']));
  assert.equal(ok(await users(['remove', 'pat'])).stdout, 'removed staff account "pat"\n');
  assert.deepEqual(
    read((db) => queryAuditEvents(db, { subject: 'staff:pat' })).map((e) => [e.action, e.actor]),
    [
      ['staff-add', 'cli:tester'],
      ['staff-passwd', 'cli:tester'],
      ['staff-disable', 'cli:tester'],
      ['staff-enable', 'cli:tester'],
      ['staff-remove', 'cli:tester'],
    ],
  );
});

test('users: bad input gets one clear line and changes nothing', async (t) => {
  const { users, read } = setup(t);
  const seeded = read((db) => queryAuditEvents(db)).length; // the directory the setup added
  failed(await users(['add', 'pat', '--role', 'gsm', '--password-stdin'], 'gsm password 1'), 1, /needs the group/);
  failed(await users(['add', 'pat', '--role', 'gsm', '--group', 'tories', '--password-stdin'], 'gsm password 1'), 1, /group "tories" does not exist/);
  failed(await users(['add', 'pat', '--role', 'auditor', '--group', 'labour', '--password-stdin'], 'gsm password 1'), 1, /belongs to no group/);
  failed(await users(['add', 'pat', '--role', 'chief', '--password-stdin'], 'gsm password 1'), 1, /gsm, admin or auditor/);
  failed(await users(['add', 'pat', '--role', 'admin', '--member', 'zed', '--password-stdin'], 'gsm password 1'), 1, /member "zed" does not exist/);
  failed(await users(['add', 'pat', '--role', 'admin', '--password-stdin'], 'short'), 1, /too short/);
  failed(await users(['add', 'pat', '--role', 'admin', '--password-stdin'], 'long enough pw', true), 2, /terminal/);
  failed(await users(['add', 'pat', '--role', 'admin'], ''), 2, /--password-stdin/);
  failed(await users(['add', 'pat', '--password-stdin'], 'gsm password 1'), 2, /--role/);
  failed(await users(['add', 'pat', '--role', 'admin', '--password', 'x'], ''), 2, /unknown option --password/);
  failed(await users(['list', '--role', 'admin']), 2, /does not take --role/);
  failed(await users(['passwd', 'nobody'], 'a new password 2'), 1, /"nobody" does not exist/);
  failed(await users(['remove', 'nobody']), 1, /"nobody" does not exist/);
  failed(await users(['frobnicate']), 2, /unknown subcommand/);
  assert.equal(ok(await users(['list'])).stdout, 'no staff accounts yet: add an administrator with "wardgate users add ID --role admin --password-stdin"\n');
  assert.equal(read((db) => queryAuditEvents(db)).length, seeded, 'no audit event for any refused command');
});

test('users add --email stores the address (listed, in JSON); a bad one is refused', async (t) => {
  const { users } = setup(t);
  const added = ok(await users(['add', 'pat', '--role', 'gsm', '--group', 'labour', '--email', 'pat@council.example', '--password-stdin'], 'gsm password 1\n'));
  assert.match(added.stdout, /; email pat@council\.example\n$/);
  assert.match(ok(await users(['list'])).stdout, /pat .* pat@council\.example +enabled/);
  assert.equal(JSON.parse(ok(await users(['list', '--json'])).stdout.trim()).email, 'pat@council.example');
  const bad = await users(['add', 'sam', '--role', 'gsm', '--group', 'labour', '--email', 'sam', '--password-stdin'], 'gsm password 2\n');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /"sam" is not an email address/);
  assert.doesNotMatch(ok(await users(['list'])).stdout, /sam/);
});
