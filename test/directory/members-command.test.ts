import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/cli-io.ts';
import { runGroupsCommand } from '../../src/cli/groups-command.ts';
import { runMembersCommand } from '../../src/cli/members-command.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import type { MemberRecord } from '../../src/directory/directory-snapshot.ts';
import { verifyPassword } from '../../src/directory/password.ts';
import { openDatabase } from '../../src/store/database.ts';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  stdin?: string;
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

async function run(
  command: (argv: string[], io: CliIO) => Promise<number>,
  argv: string[],
  options: RunOptions = {},
): Promise<Outcome> {
  const stdout = collector();
  const stderr = collector();
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  if (options.tty === true) Object.assign(stdin, { isTTY: true });
  const code = await command(argv, { stdout: stdout.stream, stderr: stderr.stream, stdin, env: options.env ?? {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function setup(t: { after(fn: () => void): void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-cli-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  const members = (argv: string[], options?: RunOptions) => run(runMembersCommand, [...argv, '--data-dir', dataDir], options);
  const groups = (argv: string[], options?: RunOptions) => run(runGroupsCommand, [...argv, '--data-dir', dataDir], options);
  const stored = (id: string): MemberRecord | null => {
    const db = openDatabase(dataDir);
    try {
      return new DirectoryStore(db).getMember(id);
    } finally {
      db.close();
    }
  };
  return { root, dataDir, members, groups, stored };
}

function assertOk(outcome: Outcome): void {
  assert.equal(outcome.code, 0, `stderr: ${outcome.stderr}`);
  assert.equal(outcome.stderr, '');
}

function assertFailure(outcome: Outcome, code: 1 | 2, message: RegExp): void {
  assert.equal(outcome.code, code, `stdout: ${outcome.stdout} stderr: ${outcome.stderr}`);
  assert.match(outcome.stderr, message);
  assert.doesNotMatch(outcome.stderr, /\n\s+at /, 'no stack trace');
  if (code === 2) assert.match(outcome.stderr, /Usage: wardgate/);
  else assert.match(outcome.stderr, /^wardgate: /);
}

test('groups: add, list (table and JSON), remove', async (t) => {
  const { groups } = setup(t);
  const added = await groups(['add', 'labour', '--name', 'Labour Group']);
  assertOk(added);
  assert.equal(added.stdout, 'added group "labour" (Labour Group)\n');
  assertOk(await groups(['add', 'green', '--name', 'Green']));

  const table = await groups(['list']);
  assertOk(table);
  assert.deepEqual(table.stdout.split('\n'), ['ID      NAME          MEMBERS', 'green   Green         0', 'labour  Labour Group  0', '']);
  const json = await groups(['list', '--json']);
  assert.deepEqual(
    json.stdout.trim().split('\n').map((line) => JSON.parse(line)),
    [
      { id: 'green', name: 'Green', members: 0 },
      { id: 'labour', name: 'Labour Group', members: 0 },
    ],
  );

  assertOk(await groups(['remove', 'green']));
  assert.doesNotMatch((await groups(['list'])).stdout, /green/);
  assertFailure(await groups(['remove', 'green']), 1, /group "green" does not exist/);
  assertFailure(await groups(['add', 'labour', '--name', 'Again']), 1, /group "labour" already exists/);
});

test('members add with --password-stdin and --ip, options in any order', async (t) => {
  const { groups, members, stored } = setup(t);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  const added = await members(['--ip', '::ffff:192.0.2.7', 'add', '--name', 'Cllr Alice Smith', 'alice', '--group', 'labour', '--password-stdin', '--ip', '2001:DB8::1'], {
    stdin: 'correct horse battery\n',
  });
  assertOk(added);
  assert.equal(
    added.stdout,
    'added member "alice" (Cllr Alice Smith) to group "labour"; password: set; addresses: 192.0.2.7, 2001:db8::1\n',
  );
  const alice = stored('alice')!;
  assert.notEqual(alice.passwordHash, 'correct horse battery');
  assert.equal(await verifyPassword('correct horse battery', alice.passwordHash!), true, 'trailing newline stripped');
  assert.equal(await verifyPassword('correct horse battery\n', alice.passwordHash!), false);

  const withoutPassword = await members(['add', 'bob', '--name', 'Bob', '--group', 'labour']);
  assertOk(withoutPassword);
  assert.match(withoutPassword.stdout, /password: none; addresses: none/);
  assert.equal(stored('bob')!.passwordHash, null);
});

test('members list: readable table or JSON lines, never the hash', async (t) => {
  const { groups, members } = setup(t);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  assert.equal((await members(['list'])).stdout, 'no members yet: add one with "wardgate members add"\n');
  assertOk(await members(['add', 'alice', '--name', 'Alice', '--group', 'labour', '--password-stdin', '--ip', '192.0.2.7'], { stdin: 'password123' }));
  assertOk(await members(['add', 'bob', '--name', 'Bob Jones', '--group', 'labour']));

  const table = await members(['list']);
  assertOk(table);
  assert.deepEqual(table.stdout.split('\n'), [
    'ID     NAME       GROUP   PASSWORD  ADDRESSES  EMAIL',
    'alice  Alice      labour  yes       192.0.2.7  -',
    'bob    Bob Jones  labour  no        none       -',
    '',
  ]);
  const json = await members(['list', '--json']);
  assertOk(json);
  assert.deepEqual(
    json.stdout.trim().split('\n').map((line) => JSON.parse(line)),
    [
      { id: 'alice', name: 'Alice', groupId: 'labour', hasPassword: true, ips: ['192.0.2.7'], email: null },
      { id: 'bob', name: 'Bob Jones', groupId: 'labour', hasPassword: false, ips: [], email: null },
    ],
  );
  for (const output of [table.stdout, json.stdout]) assert.doesNotMatch(output, /scrypt|password123/);
  assert.match((await groups(['list'])).stdout, /labour\s+Labour\s+2/);
});

test('members passwd reads the new password from stdin', async (t) => {
  const { groups, members, stored } = setup(t);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  assertOk(await members(['add', 'alice', '--name', 'Alice', '--group', 'labour']));

  const changed = await members(['passwd', 'alice'], { stdin: 'a new passphrase\r\n' });
  assertOk(changed);
  assert.equal(changed.stdout, 'changed the password of member "alice"\n');
  assert.equal(await verifyPassword('a new passphrase', stored('alice')!.passwordHash!), true);

  const before = stored('alice')!.passwordHash;
  assertFailure(await members(['passwd', 'alice'], { stdin: 'short\n' }), 1, /at least 8 characters/);
  assertFailure(await members(['passwd', 'alice'], { stdin: '' }), 1, /no password on standard input/);
  assertFailure(await members(['passwd', 'alice'], { stdin: 'line one is long\nline two\n' }), 1, /single line/);
  assertFailure(await members(['passwd', 'alice'], { tty: true }), 2, /standard input, which is a terminal/);
  assertFailure(await members(['passwd', 'nobody'], { stdin: 'long enough pw\n' }), 1, /member "nobody" does not exist/);
  assert.equal(stored('alice')!.passwordHash, before, 'failed attempts change nothing');
});

test('members add refuses a bad --password-stdin without adding the member', async (t) => {
  const { groups, members, stored } = setup(t);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  assertFailure(
    await members(['add', 'alice', '--name', 'Alice', '--group', 'labour', '--password-stdin'], { stdin: '1234567\n' }),
    1,
    /at least 8 characters/,
  );
  assert.equal(stored('alice'), null);
});

test('members set-ips replaces, refuses a conflict naming both members, and --clear empties', async (t) => {
  const { groups, members, stored } = setup(t);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  assertOk(await members(['add', 'alice', '--name', 'Alice', '--group', 'labour', '--ip', '192.0.2.7']));
  assertOk(await members(['add', 'bob', '--name', 'Bob', '--group', 'labour']));

  const set = await members(['set-ips', 'bob', '--ip', '192.0.2.9', '--ip', '192.0.2.8']);
  assertOk(set);
  assert.equal(set.stdout, 'member "bob" now has addresses: 192.0.2.8, 192.0.2.9\n');
  assertFailure(
    await members(['set-ips', 'bob', '--ip', '::ffff:192.0.2.7']),
    1,
    /192\.0\.2\.7 is already registered to member "alice".*"bob"/,
  );
  assertFailure(
    await members(['add', 'carol', '--name', 'Carol', '--group', 'labour', '--ip', '192.0.2.8']),
    1,
    /registered to member "bob".*"carol"/,
  );
  assertFailure(await members(['set-ips', 'bob', '--ip', '192.0.2.0/24']), 1, /not an IP address/);
  assert.deepEqual(stored('bob')!.ips, ['192.0.2.8', '192.0.2.9']);

  assertOk(await members(['set-ips', 'bob', '--clear']));
  assert.deepEqual(stored('bob')!.ips, []);
  assertFailure(await members(['set-ips', 'bob']), 2, /at least one --ip/);
  assertFailure(await members(['set-ips', 'bob', '--clear', '--ip', '192.0.2.1']), 2, /not both/);
});

test('members remove, and removing a group that still has members', async (t) => {
  const { groups, members, stored } = setup(t);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  assertOk(await members(['add', 'alice', '--name', 'Alice', '--group', 'labour']));
  assertFailure(await groups(['remove', 'labour']), 1, /group "labour" still has 1 member\(s\) \(alice\)/);
  const removed = await members(['remove', 'alice']);
  assertOk(removed);
  assert.equal(removed.stdout, 'removed member "alice"\n');
  assert.equal(stored('alice'), null);
  assertFailure(await members(['remove', 'alice']), 1, /member "alice" does not exist/);
  assertOk(await groups(['remove', 'labour']));
});

test('expected failures: one "wardgate: ..." line, exit 1', async (t) => {
  const { groups, members } = setup(t);
  assertFailure(await members(['add', 'alice', '--name', 'Alice', '--group', 'nope']), 1, /group "nope" does not exist/);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  assertFailure(await members(['add', 'Alice', '--name', 'Alice', '--group', 'labour']), 1, /member id "Alice" is not valid: use 1 to 64/);
  assertFailure(await members(['add', 'alice', '--name', '  ', '--group', 'labour']), 1, /name must not be empty/);
  assertFailure(await groups(['add', 'Bad Id', '--name', 'X']), 1, /group id "Bad Id" is not valid/);
});

test('usage mistakes name the problem, print the usage and exit 2', async (t) => {
  const { groups, members } = setup(t);
  const cases: [Outcome, RegExp][] = [
    [await members([]), /name a subcommand/],
    [await members(['frobnicate']), /unknown subcommand "frobnicate"/],
    [await members(['list', '--bogus']), /^wardgate members: unknown option --bogus\n/],
    [await members(['add', 'alice', '--group', 'labour']), /needs --name NAME/],
    [await members(['add', 'alice', '--name', 'Alice']), /needs --group GROUP/],
    [await members(['add', '--name', 'Alice', '--group', 'labour']), /needs ID/],
    [await members(['remove']), /"members remove" needs ID/],
    [await members(['remove', 'alice', 'bob']), /unexpected argument "bob"/],
    [await members(['list', '--name', 'x']), /"members list" does not take --name/],
    [await members(['add', 'alice', '--name', 'A', '--group', 'g', '--password', 'secret123']), /unknown option --password\n/],
    [await run(runMembersCommand, ['list', '--data-dir']), /argument missing/],
    [await groups([]), /name a subcommand/],
    [await groups(['add', 'labour']), /needs --name NAME/],
    [await groups(['list', 'extra']), /unexpected argument "extra"/],
    [await groups(['remove', 'labour', '--json']), /does not take --json/],
  ];
  for (const [outcome, message] of cases) assertFailure(outcome, 2, message);
});

test('--help prints the usage and exits 0', async () => {
  const help = await run(runMembersCommand, ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: wardgate members add ID/);
  const groupsHelp = await run(runGroupsCommand, ['-h']);
  assert.equal(groupsHelp.code, 0);
  assert.match(groupsHelp.stdout, /^Usage: wardgate groups add ID/);
});

test('the data directory comes from --config or WARDGATE_DATA_DIR when --data-dir is absent', async (t) => {
  const { root } = setup(t);
  const configFile = path.join(root, 'wardgate.json');
  fs.writeFileSync(configFile, JSON.stringify({ dataDir: 'from-config' }));
  assertOk(await run(runGroupsCommand, ['add', 'labour', '--name', 'Labour', '--config', configFile]));
  assert.ok(fs.existsSync(path.join(root, 'from-config', 'wardgate.db')), 'relative to the config file');

  const envDir = path.join(root, 'from-env');
  assertOk(await run(runGroupsCommand, ['add', 'green', '--name', 'Green'], { env: { WARDGATE_DATA_DIR: envDir } }));
  assert.ok(fs.existsSync(path.join(envDir, 'wardgate.db')));

  const listed = await run(runGroupsCommand, ['list', '--config', configFile, '--data-dir', envDir]);
  assert.match(listed.stdout, /green/, '--data-dir wins over the config file');
  assert.doesNotMatch(listed.stdout, /labour/);
});

test('a broken config file is reported as an expected failure', async (t) => {
  const { root } = setup(t);
  const configFile = path.join(root, 'broken.json');
  fs.writeFileSync(configFile, '{ "dataDir": ');
  assertFailure(await run(runMembersCommand, ['list', '--config', configFile]), 1, /broken\.json/);
});

test('members add --email and set-email: stored, shown, cleared; a bad address or bad usage changes nothing', async (t) => {
  const { members, groups, stored } = setup(t);
  assertOk(await groups(['add', 'labour', '--name', 'Labour']));
  const added = await members(['add', 'alice', '--name', 'Alice', '--group', 'labour', '--email', 'Alice@Council.Example']);
  assertOk(added);
  assert.match(added.stdout, /; email: Alice@council\.example\n$/);
  assert.equal(stored('alice')!.email, 'Alice@council.example');
  assertFailure(await members(['add', 'bob', '--name', 'Bob', '--group', 'labour', '--email', 'not an address']), 1, /"not an address" is not an email address/);
  assert.equal(stored('bob'), null);

  assertOk(await members(['set-email', 'alice', '--email', 'a.smith@council.example']));
  assert.equal(stored('alice')!.email, 'a.smith@council.example');
  assertFailure(await members(['set-email', 'alice', '--email', 'a@b']), 1, /is not an email address/);
  assertFailure(await members(['set-email', 'alice']), 2, /takes --email ADDRESS, or --clear/);
  assertFailure(await members(['set-email', 'alice', '--email', 'x@y.example', '--clear']), 2, /not both/);
  assertFailure(await members(['set-email', 'nobody', '--email', 'x@y.example']), 1, /member "nobody" does not exist/);
  assert.equal(stored('alice')!.email, 'a.smith@council.example');
  const cleared = await members(['set-email', 'alice', '--clear']);
  assertOk(cleared);
  assert.equal(cleared.stdout, 'member "alice" now has no email address\n');
  assert.equal(stored('alice')!.email, null);
});
