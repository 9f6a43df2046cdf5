/**
 * `wardgate members …` and `wardgate groups …` write their changes to the
 * audit trail with the operator (`cli:<USER>`) as actor, as `wardgate users`
 * does; refused commands write nothing; `wardgate audit events` shows the
 * events (table and JSON) and never a password hash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli.ts';
import { AUDIT_USAGE } from '../../src/cli/audit-command.ts';
import { GROUP_AUDIT_ACTIONS, MEMBER_AUDIT_ACTIONS } from '../../src/directory/directory-audit.ts';
import { AUDIT_ACTIONS } from '../../src/grants/grant-store.ts';
import { memoryIO } from '../helpers/memory-io.ts';

function tempDataDir(t: { after(fn: () => void): void }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-dir-audit-cli-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return path.join(root, 'data');
}

function cliIn(dataDir: string) {
  return async (args: string[], stdin = '') => {
    const io = memoryIO(stdin, { USER: 'ops.jane' });
    const code = await runCli([...args, '--data-dir', dataDir], io);
    return { code, stdout: io.out(), stderr: io.err() };
  };
}

interface EventLine {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

const jsonLines = (text: string): EventLine[] => (text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as EventLine));

test('members and groups commands: each change is an event by cli:<user> with before and after', async (t) => {
  const cli = cliIn(tempDataDir(t));
  const ok = async (args: string[], stdin = '') => {
    const r = await cli(args, stdin);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  await ok(['groups', 'add', 'indep', '--name', 'Independent']);
  await ok(['groups', 'rename', 'indep', '--name', 'Independents']);
  await ok(['members', 'add', 'eve', '--name', 'Eve', '--group', 'indep', '--ip', '192.0.2.50', '--password-stdin'], 'eve proxy secret\n');
  await ok(['members', 'set-email', 'eve', '--email', 'eve@council.example']);
  await ok(['members', 'passwd', 'eve'], 'eve second secret\n');
  await ok(['members', 'set-ips', 'eve', '--clear']);
  await ok(['members', 'remove', 'eve']);
  await ok(['groups', 'remove', 'indep']);

  const all = await cli(['audit', 'events', '--json']);
  assert.equal(all.code, 0, all.stderr);
  const events = jsonLines(all.stdout);
  assert.deepEqual(
    events.map((e) => `${e.actor} ${e.action} ${e.subject}`),
    [
      'cli:ops.jane group-add group:indep',
      'cli:ops.jane group-rename group:indep',
      'cli:ops.jane member-add member:eve',
      'cli:ops.jane member-edit member:eve',
      'cli:ops.jane member-passwd member:eve',
      'cli:ops.jane member-ips member:eve',
      'cli:ops.jane member-remove member:eve',
      'cli:ops.jane group-remove group:indep',
    ],
  );
  const eve = { id: 'eve', name: 'Eve', groupId: 'indep', email: null, hasPassword: true, ips: ['192.0.2.50'] };
  assert.deepEqual([events[2]!.before, events[2]!.after], [null, eve]);
  assert.deepEqual([events[3]!.before, events[3]!.after], [eve, { ...eve, email: 'eve@council.example' }]);
  assert.deepEqual([events[5]!.before!.ips, events[5]!.after!.ips], [['192.0.2.50'], []]);
  assert.deepEqual(events[6]!.before, { ...eve, email: 'eve@council.example', ips: [] });
  assert.equal(events[6]!.after, null);
  assert.doesNotMatch(all.stdout, /scrypt|secret|passwordHash/);

  const table = await cli(['audit', 'events', '--subject', 'member:eve']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /cli:ops\.jane +member-passwd +member:eve +password changed\n/);
  assert.match(table.stdout, /member-edit +member:eve +email: - → eve@council\.example\n/);
  assert.match(table.stdout, /member-ips +member:eve +ips: \["192\.0\.2\.50"\] → \[\]\n/);
  const renamed = await cli(['audit', 'events', '--action', 'group-rename']);
  assert.match(renamed.stdout, /group-rename +group:indep +name: Independent → Independents\n/);
});

test('refused members and groups commands write no event', async (t) => {
  const cli = cliIn(tempDataDir(t));
  assert.equal((await cli(['groups', 'add', 'labour', '--name', 'Labour'])).code, 0);
  assert.equal((await cli(['members', 'add', 'alice', '--name', 'Alice', '--group', 'labour', '--ip', '192.0.2.10'])).code, 0);
  const count = async () => jsonLines((await cli(['audit', 'events', '--json'])).stdout).length;
  const before = await count();
  const refused = async (args: string[], message: RegExp) => {
    const r = await cli(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, message);
  };
  await refused(['members', 'add', 'alice', '--name', 'Alice again', '--group', 'labour'], /already exists/);
  await refused(['members', 'add', 'bob', '--name', 'Bob', '--group', 'nosuch'], /group "nosuch" does not exist/);
  await refused(['members', 'add', 'bob', '--name', 'Bob', '--group', 'labour', '--ip', '192.0.2.10'], /already registered to member "alice"/);
  await refused(['members', 'set-email', 'nobody', '--email', 'x@council.example'], /member "nobody" does not exist/);
  await refused(['groups', 'add', 'labour', '--name', 'Again'], /already exists/);
  await refused(['groups', 'rename', 'nosuch', '--name', 'X'], /group "nosuch" does not exist/);
  await refused(['groups', 'remove', 'labour'], /still has 1 member/);
  assert.equal(await count(), before);
});

test('every audit action is named in `wardgate audit --help`, in docs/admin-api.md and, for the directory, in docs/directory-audit.md', async () => {
  const apiDoc = fs.readFileSync(new URL('../../docs/admin-api.md', import.meta.url), 'utf8');
  const directoryDoc = fs.readFileSync(new URL('../../docs/directory-audit.md', import.meta.url), 'utf8');
  for (const action of AUDIT_ACTIONS) {
    assert.match(AUDIT_USAGE, new RegExp(`(^|[ ,])${action}[,.]`, 'm'), `${action} in the usage`);
    assert.ok(apiDoc.includes(`\`${action}\``), `${action} in docs/admin-api.md`);
  }
  for (const action of [...MEMBER_AUDIT_ACTIONS, ...GROUP_AUDIT_ACTIONS]) assert.ok(directoryDoc.includes(`| \`${action}\` |`), `${action} in docs/directory-audit.md`);
});
