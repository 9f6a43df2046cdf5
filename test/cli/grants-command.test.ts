import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIO } from '../../src/cli/cli-io.ts';
import { runAuditCommand } from '../../src/cli/audit-command.ts';
import { runGrantsCommand } from '../../src/cli/grants-command.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import { DAY_MS } from '../../src/grants/time.ts';
import { openDatabase } from '../../src/store/database.ts';
import { memoryIO } from '../helpers/memory-io.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/proxy-categories', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

type Command = (argv: string[], io: CliIO) => Promise<number>;

let hash: Promise<string> | undefined;

async function seedGrantsWorld(dataDir: string): Promise<void> {
  const db = openDatabase(dataDir);
  try {
    const directory = new DirectoryStore(db);
    for (const g of ['labour', 'green']) directory.addGroup({ id: g, name: g });
    for (const [m, g] of [['alice', 'labour'], ['bob', 'labour'], ['dave', 'labour'], ['carol', 'green']] as const) {
      directory.addMember({ id: m, name: m, groupId: g });
    }
    const staff = new StaffStore(db);
    const passwordHash = await (hash ??= hashPassword('staff password'));
    staff.add({ id: 'gsm-labour', role: 'gsm', groupId: 'labour', passwordHash }, 'cli:setup');
    staff.add({ id: 'gsm-green', role: 'gsm', groupId: 'green', passwordHash }, 'cli:setup');
    staff.add({ id: 'dave-gsm', role: 'gsm', groupId: 'labour', memberId: 'dave', passwordHash }, 'cli:setup');
    staff.add({ id: 'admin1', role: 'admin', passwordHash }, 'cli:setup');
    staff.add({ id: 'auditor1', role: 'auditor', passwordHash }, 'cli:setup');
  } finally {
    db.close();
  }
}

async function setup(t: { after(fn: () => void): void }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wardgate-grants-cli-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dataDir = path.join(root, 'data');
  await seedGrantsWorld(dataDir);
  const env: NodeJS.ProcessEnv = { USER: 'tester', WARDGATE_CATEGORIES: FIXTURES };
  const run = (command: Command) => async (argv: string[]): Promise<Outcome> => {
    const io = memoryIO('', env);
    const code = await command([...argv, '--data-dir', dataDir], io as CliIO);
    return { code, stdout: io.out(), stderr: io.err() };
  };
  const grants = run(runGrantsCommand);
  const audit = run(runAuditCommand);
  const listed = async (...extra: string[]) => (await grants(['list', '--json', ...extra])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const request = async (...argv: string[]) => {
    const out = ok(await grants(['request', ...argv]));
    return /requested (g_[0-9a-f]{16})/.exec(out.stdout)![1]!;
  };
  return { grants, audit, listed, request, env, dataDir };
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
  if (code === 2) assert.match(o.stderr, /Usage: wardgate grants/);
  else assert.match(o.stderr, /^wardgate: /);
}

test('grants: request, list, approve, revoke, history; the audit trail holds every step', async (t) => {
  const { grants, audit, listed, request } = await setup(t);
  const id = await request('--member', 'alice', '--domain', 'WWW.Blocked-Porn.test', '--reason', 'Licensing committee evidence', '--days', '10');
  const [pending] = await listed('--status', 'pending');
  assert.deepEqual(
    [pending!.id, pending!.memberId, pending!.scope, pending!.status, pending!.requestedDays, pending!.requestedBy],
    [id, 'alice', 'domain:www.blocked-porn.test', 'pending', 10, 'cli:tester'],
  );
  assert.match(ok(await grants(['list'])).stdout, new RegExp(`^ID +MEMBER +SCOPE +STATUS +EXPIRES +REQUESTED +DECIDED BY\n${id} +alice +domain:www.blocked-porn.test +pending +- `));

  const before = Date.now();
  const approved = ok(await grants(['approve', id, '--by', 'gsm-labour', '--note', 'for the hearing']));
  assert.match(approved.stdout, new RegExp(`^approved ${id} for member "alice": domain:www.blocked-porn.test until `));
  const [record] = await listed('--member', 'alice');
  const expiresAt = Date.parse(record!.expiresAt as string);
  assert.ok(expiresAt >= before + 10 * DAY_MS && expiresAt <= Date.now() + 10 * DAY_MS, 'the requested ten days');
  assert.deepEqual([record!.status, record!.decidedBy, record!.decisionNote], ['approved', 'gsm-labour', 'for the hearing']);
  assert.equal((await listed('--group', 'green')).length, 0);
  assert.equal((await listed('--group', 'labour')).length, 1);

  ok(await grants(['revoke', id, '--by', 'admin1', '--note', 'hearing over']));
  assert.equal((await listed())[0]!.status, 'revoked');
  assert.match(ok(await grants(['history', 'alice'])).stdout, new RegExp(`${id} +alice .* revoked`));
  assert.equal(ok(await grants(['history', 'bob'])).stdout, 'member "bob" has no grants or requests on record\n');

  const trail = ok(await audit(['events', '--subject', id]));
  const lines = trail.stdout.trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1]!, /cli:tester +request +g_\w+ +created/);
  assert.match(lines[2]!, /staff:gsm-labour +approve +g_\w+ +status: pending → approved; decidedBy: - → gsm-labour/);
  assert.match(lines[3]!, /staff:admin1 +revoke .*status: approved → revoked/);
  const json = ok(await audit(['events', '--subject', id, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { before: { status: string } | null; after: { status: string } });
  assert.deepEqual(json.map((e) => [e.before?.status ?? null, e.after.status]), [[null, 'pending'], ['pending', 'approved'], ['approved', 'revoked']]);
});

test('grants: the same rules as the web, each with one clear line, and nothing changes', async (t) => {
  const { grants, audit, listed, request } = await setup(t);
  const alice = await request('--member', 'alice', '--category', 'chat', '--reason', 'Monitoring a chat room for casework');
  const dave = await request('--member', 'dave', '--url', 'https://chat-room.test/Rooms/', '--reason', 'Casework', '--by', 'gsm-labour');
  const snapshot = async () => [await listed(), ok(await audit(['events', '--json'])).stdout];
  const before = await snapshot();
  failed(await grants(['approve', alice, '--by', 'gsm-green']), 1, /Group Support Manager of group "green" and cannot approve for "alice"/);
  failed(await grants(['approve', alice, '--by', 'admin1']), 1, /administrators may only revoke/);
  failed(await grants(['approve', alice, '--by', 'auditor1']), 1, /read-only/);
  failed(await grants(['approve', dave, '--by', 'dave-gsm']), 1, /nobody decides their own request/);
  failed(await grants(['decline', dave, '--by', 'dave-gsm']), 1, /nobody decides their own request/);
  failed(await grants(['approve', alice, '--by', 'nobody']), 1, /staff account "nobody" does not exist/);
  failed(await grants(['approve', 'g_0000000000000000', '--by', 'gsm-labour']), 1, /does not exist/);
  failed(await grants(['approve', alice, '--by', 'gsm-labour', '--expires', '2020-01-01']), 1, /not in the future/);
  failed(await grants(['approve', alice, '--by', 'gsm-labour', '--expires', '2999-01-01']), 1, /at most 365 days/);
  failed(await grants(['approve', alice, '--by', 'gsm-labour', '--expires', '2026-02-30']), 1, /not a date/);
  failed(await grants(['approve', alice, '--by', 'gsm-labour', '--days', '400']), 1, /1 to 365/);
  failed(await grants(['approve', alice, '--by', 'gsm-labour', '--days', 'ten']), 1, /whole number/);
  failed(await grants(['approve', alice, '--by', 'gsm-labour', '--days', '5', '--expires', '2026-12-01']), 1, /not both/);
  failed(await grants(['revoke', alice, '--by', 'gsm-labour']), 1, /is pending, so it cannot be revoked/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'never-grant.test', '--reason', 'x']), 1, /never be granted: it is on the non-grantable list "illegal\/child-abuse"/);
  failed(await grants(['request', '--member', 'alice', '--url', 'www.never-grant.test/a', '--reason', 'x']), 1, /never be granted/);
  failed(await grants(['request', '--member', 'alice', '--category', 'knitting', '--reason', 'x']), 1, /no category "knitting"/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'co.uk', '--reason', 'x']), 1, /public suffix/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'http://x.test/', '--reason', 'x']), 1, /not a domain name/);
  failed(await grants(['request', '--member', 'zed', '--domain', 'x.test', '--reason', 'x']), 1, /member "zed" does not exist/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'x.test', '--reason', ' ']), 1, /written reason is required/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'x.test', '--reason', 'r'.repeat(2001)]), 1, /at most 2000/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'x.test', '--reason', 'x', '--by', 'gsm-green']), 1, /group "green"/);
  failed(await grants(['request', '--member', 'alice', '--category', 'chat', '--reason', 'again']), 1, /already has a pending request/);
  failed(await grants(['list', '--status', 'maybe']), 1, /not a grant status/);
  assert.deepEqual(await snapshot(), before);
});

test('grants: usage mistakes exit 2 with the usage text', async (t) => {
  const { grants } = await setup(t);
  failed(await grants(['request', '--member', 'alice', '--reason', 'x']), 2, /exactly one of --category/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'a.test', '--url', 'a.test/x', '--reason', 'x']), 2, /exactly one of/);
  failed(await grants(['request', '--domain', 'a.test', '--reason', 'x']), 2, /needs --member/);
  failed(await grants(['request', '--member', 'alice', '--domain', 'a.test']), 2, /needs --reason/);
  failed(await grants(['approve', 'g_1']), 2, /needs --by/);
  failed(await grants(['approve', '--by', 'gsm-labour']), 2, /needs ID/);
  failed(await grants(['decline', 'g_1', '--by', 'gsm-labour', '--days', '3']), 2, /does not take --days/);
  failed(await grants(['list', '--member']), 2, /argument missing|--member/);
  failed(await grants(['approve', 'g_1', '--by', 'x', '--frobnicate']), 2, /unknown option --frobnicate/);
  failed(await grants([]), 2, /name a subcommand/);
});

test('grants: --expires DATE runs through that day (UTC); decline and revoke work even when the lists cannot load', async (t) => {
  const { grants, listed, request, dataDir } = await setup(t);
  const id = await request('--member', 'carol', '--domain', 'blocked-porn.test', '--reason', 'Research');
  const day = new Date(Date.now() + 10 * DAY_MS).toISOString().slice(0, 10);
  ok(await grants(['approve', id, '--by', 'gsm-green', '--expires', day]));
  assert.equal((await listed())[0]!.expiresAt, new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString());

  const other = await request('--member', 'bob', '--domain', 'blocked-porn.test', '--reason', 'Research');
  const broken = async (argv: string[]) => {
    const io = memoryIO('', { USER: 'tester', WARDGATE_CATEGORIES: path.join(dataDir, 'no-such-folder') });
    const code = await runGrantsCommand([...argv, '--data-dir', dataDir], io as CliIO);
    return { code, stdout: io.out(), stderr: io.err() };
  };
  failed(await broken(['approve', other, '--by', 'gsm-labour']), 1, /categor/);
  ok(await broken(['decline', other, '--by', 'gsm-labour', '--note', 'not needed']));
  ok(await broken(['revoke', id, '--by', 'admin1']));
  assert.deepEqual((await listed()).map((g) => g.status), ['declined', 'revoked']);
});

test('the configured expiry limits apply: grants.maxExpiryDays caps approvals, grants.defaultExpiryDays is the default', async (t) => {
  const { request, env, dataDir } = await setup(t);
  const configFile = path.join(dataDir, '..', 'wardgate.json');
  fs.writeFileSync(configFile, JSON.stringify({ grants: { defaultExpiryDays: 7, maxExpiryDays: 30 } }));
  const withConfig = async (argv: string[]) => {
    const io = memoryIO('', env);
    const code = await runGrantsCommand([...argv, '--data-dir', dataDir, '--config', configFile], io as CliIO);
    return { code, stdout: io.out(), stderr: io.err() };
  };
  const id = await request('--member', 'alice', '--category', 'chat', '--reason', 'Monitoring a chat room for casework');
  failed(await withConfig(['approve', id, '--by', 'gsm-labour', '--days', '31']), 1, /1 to 30/);
  const approved = ok(await withConfig(['approve', id, '--by', 'gsm-labour']));
  const until = Date.parse(/until (\S+)/.exec(approved.stdout)![1]!);
  const days = (until - Date.now()) / 86_400_000;
  assert.ok(days > 6.9 && days <= 7.01, `default expiry of 7 days, got ${days.toFixed(2)}`);
});
