/**
 * Directory changes made in the admin web UI (form posts with their CSRF
 * token) and the JSON API land in the audit trail with the signed-in
 * account as actor, over real sockets on a whole wardgate; refused changes
 * (no CSRF token, a duplicate id, an unknown group) write nothing; the
 * audit page and /api/v1/audit-events show the events, with no password
 * hash; and the running proxy neither writes decision-log staff lines nor
 * sends email for them. Tests share one server and run in order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli.ts';
import type { AuditEvent } from '../../src/grants/grant-store.ts';
import { ApiTokenStore } from '../../src/grants/api-token-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import { openDatabase } from '../../src/store/database.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { AdminClient, api, STAFF_PASSWORD } from './admin-client.ts';

let sink: SmtpSink;
let harness: Harness;
let base: string;
let admin: AdminClient;
let token: string;

const ADMIN = 'staff:admin1';
const GSM_EMAIL = 'gsm.labour@council.example';

async function cli(args: string[], stdin = ''): Promise<void> {
  const io = memoryIO(stdin, { USER: 'setup' });
  const code = await runCli([...args, '--data-dir', harness.dataDir], io);
  assert.equal(code, 0, `${args.join(' ')}: ${io.err()}`);
}

/** The trail after event `afterId`, read through a connection of its own, as an auditor's process would. */
function trailAfter(afterId: number): AuditEvent[] {
  const db = openDatabase(harness.dataDir);
  try {
    return queryAuditEvents(db, { afterId });
  } finally {
    db.close();
  }
}

function lastEventId(): number {
  const db = openDatabase(harness.dataDir);
  try {
    return queryAuditEvents(db, { limit: 1 }).at(-1)?.id ?? 0;
  } finally {
    db.close();
  }
}

const brief = (events: readonly AuditEvent[]) => events.map((e) => `${e.actor} ${e.action} ${e.subject}`);

before(async () => {
  sink = await startSmtpSink();
  harness = await startHarness({
    notifications: {
      smtp: { host: '127.0.0.1', port: sink.port, secure: false, user: null, passwordFile: null, passwordEnv: null, from: 'wardgate@council.example' },
      maxAttempts: 5,
      retryDelayMs: 100,
    },
  });
  base = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  await cli(['users', 'add', 'admin1', '--role', 'admin', '--password-stdin'], `${STAFF_PASSWORD}\n`);
  await cli(['users', 'add', 'auditor1', '--role', 'auditor', '--password-stdin'], `${STAFF_PASSWORD}\n`);
  await cli(['users', 'add', 'gsm-labour', '--role', 'gsm', '--group', 'labour', '--email', GSM_EMAIL, '--password-stdin'], `${STAFF_PASSWORD}\n`);
  const db = openDatabase(harness.dataDir);
  try {
    token = new ApiTokenStore(db).issue({ staffId: 'admin1', actor: 'cli:test' }).token;
  } finally {
    db.close();
  }
  admin = new AdminClient(base);
  assert.equal((await admin.signIn('admin1', STAFF_PASSWORD)).status, 303);
});
after(async () => {
  await harness.stop();
  await sink.close();
});

test('web UI: every member and group change is an event by the signed-in administrator, with before and after', async () => {
  const start = lastEventId();
  const posted = async (page: string, path: string, fields: Record<string, string> = {}) => {
    await admin.get(page); // the form's page, for its CSRF token
    const res = await admin.post(path, fields);
    assert.equal(res.status, 303, `${path}: ${res.text.slice(0, 300)}`);
  };
  await posted('/groups', '/groups', { id: 'indep', name: 'Independent' });
  await posted('/members', '/members', { id: 'carol', name: 'Carol Example', group: 'indep', ips: '127.0.0.3', email: 'carol@council.example' });
  await posted('/members/carol', '/members/carol', { name: 'Carol Changed', group: 'labour', email: '' });
  await posted('/members/carol', '/members/carol/password', { password: 'carol proxy secret' });
  await posted('/members/carol', '/members/carol/password/clear');
  await posted('/members/carol', '/members/carol/addresses', { ips: '192.0.2.30' });
  await posted('/groups', '/groups/indep', { name: 'Independents' });
  await posted('/members/carol', '/members/carol/remove');
  await posted('/groups', '/groups/indep/remove');

  const trail = trailAfter(start);
  assert.deepEqual(brief(trail), [
    `${ADMIN} group-add group:indep`,
    `${ADMIN} member-add member:carol`,
    `${ADMIN} member-edit member:carol`,
    `${ADMIN} member-passwd member:carol`,
    `${ADMIN} member-passwd member:carol`,
    `${ADMIN} member-ips member:carol`,
    `${ADMIN} group-rename group:indep`,
    `${ADMIN} member-remove member:carol`,
    `${ADMIN} group-remove group:indep`,
  ]);
  const added = { id: 'carol', name: 'Carol Example', groupId: 'indep', email: 'carol@council.example', hasPassword: false, ips: ['127.0.0.3'] };
  const edited = { ...added, name: 'Carol Changed', groupId: 'labour', email: null };
  assert.deepEqual([trail[1]!.before, trail[1]!.after], [null, added]);
  assert.deepEqual([trail[2]!.before, trail[2]!.after], [added, edited]);
  assert.deepEqual([trail[3]!.before, trail[3]!.after], [edited, { ...edited, hasPassword: true }]);
  assert.deepEqual([trail[4]!.before, trail[4]!.after], [{ ...edited, hasPassword: true }, edited]);
  assert.deepEqual([trail[5]!.before, trail[5]!.after], [edited, { ...edited, ips: ['192.0.2.30'] }]);
  assert.deepEqual([trail[6]!.before, trail[6]!.after], [{ id: 'indep', name: 'Independent' }, { id: 'indep', name: 'Independents' }]);
  assert.deepEqual([trail[7]!.before, trail[7]!.after], [{ ...edited, ips: ['192.0.2.30'] }, null], 'the removal keeps what was removed');
  assert.doesNotMatch(JSON.stringify(trail), /scrypt|carol proxy secret|passwordHash/);
});

test('web UI: a form without its CSRF token, a duplicate id or an unknown group changes nothing and writes no event', async () => {
  const start = lastEventId();
  await admin.get('/groups');
  const noToken = await admin.post('/groups', { _csrf: null, id: 'sneaky', name: 'Sneaky' });
  assert.equal(noToken.status, 403);
  await admin.get('/groups');
  const duplicate = await admin.post('/groups', { id: 'labour', name: 'Again' });
  assert.equal(duplicate.status, 409, duplicate.text.slice(0, 300));
  await admin.get('/members');
  const unknownGroup = await admin.post('/members', { id: 'dave', name: 'Dave', group: 'nosuch' });
  assert.equal(unknownGroup.status, 400);
  await admin.get('/members/alice');
  const takenAddress = await admin.post('/members/alice/addresses', { ips: '127.0.0.2' });
  assert.equal(takenAddress.status, 409, 'the address is Bob\'s');
  assert.deepEqual(trailAfter(start), []);
});

test('the audit page lists the directory events, filters them by action and by member, and shows passwords only in words', async () => {
  const page = await admin.get('/audit?action=member-passwd');
  assert.equal(page.status, 200);
  assert.match(page.text, /<option value="member-passwd" selected>member-passwd<\/option>/);
  for (const action of ['member-add', 'member-edit', 'member-ips', 'member-remove', 'group-add', 'group-rename', 'group-remove']) {
    assert.match(page.text, new RegExp(`<option value="${action}">`), `the action filter offers ${action}`);
  }
  assert.match(page.text, /<td>staff:admin1<\/td><td>member-passwd<\/td><td>member:carol<\/td><td><pre class="json">password set<\/pre>/);
  assert.match(page.text, /<td>member-passwd<\/td><td>member:carol<\/td><td><pre class="json">password cleared<\/pre>/);
  assert.doesNotMatch(page.text, /member-add<\/td>/, 'only the chosen action');

  const auditor = new AdminClient(base);
  assert.equal((await auditor.signIn('auditor1', STAFF_PASSWORD)).status, 303);
  const byMember = await auditor.get('/audit?member=carol');
  assert.equal(byMember.status, 200);
  const actions = [...byMember.text.matchAll(/<td>(member-[a-z]+)<\/td><td>member:carol<\/td>/g)].map((m) => m[1]);
  assert.deepEqual(actions, ['member-add', 'member-edit', 'member-passwd', 'member-passwd', 'member-ips', 'member-remove']);
  assert.match(byMember.text, /name: Carol Example → Carol Changed\ngroupId: indep → labour\nemail: carol@council\.example → —/);
  assert.match(byMember.text, /ips: \[&quot;127\.0\.0\.3&quot;\] → \[&quot;192\.0\.2\.30&quot;\]/);
  const groups = await auditor.get('/audit?action=group-rename');
  assert.match(groups.text, /<td>group-rename<\/td><td>group:indep<\/td><td><pre class="json">name: Independent → Independents<\/pre>/);
  assert.doesNotMatch(byMember.text + page.text, /scrypt/);
});

test('JSON API: changes are events by the token\'s account; /audit-events returns them; a refused change writes none', async () => {
  const start = lastEventId();
  const call = async (method: string, path: string, body: unknown, status: number) => {
    const res = await api(base, token, method, path, body);
    assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
  };
  await call('POST', '/groups', { id: 'lib', name: 'Liberal' }, 201);
  await call('POST', '/members', { id: 'dora', name: 'Dora', groupId: 'lib', password: 'dora proxy secret', ips: [], email: 'dora@council.example' }, 201);
  await call('POST', '/members/dora', { name: 'Dora B', groupId: 'labour', email: 'dora.b@council.example' }, 200);
  await call('POST', '/members/dora/password', { password: 'dora second secret' }, 200);
  await call('POST', '/members/dora/addresses', { ips: ['192.0.2.40'] }, 200);
  await call('POST', '/groups/lib', { name: 'Liberal Democrat' }, 200);
  const afterChanges = lastEventId();
  await call('POST', '/members', { id: 'dora', name: 'Dora again', groupId: 'labour', ips: [] }, 409);
  await call('POST', '/members/dora', { groupId: 'nosuch' }, 400);
  await call('POST', '/groups', { id: 'lib', name: 'Again' }, 409);
  assert.equal(lastEventId(), afterChanges, 'refused changes write no event');

  assert.deepEqual(brief(trailAfter(start)), [
    `${ADMIN} group-add group:lib`,
    `${ADMIN} member-add member:dora`,
    `${ADMIN} member-edit member:dora`,
    `${ADMIN} member-passwd member:dora`,
    `${ADMIN} member-ips member:dora`,
    `${ADMIN} group-rename group:lib`,
  ]);
  const byMember = await api(base, token, 'GET', '/audit-events?member=dora');
  assert.equal(byMember.status, 200);
  const events = byMember.body.events as { actor: string; action: string; subject: string; before: any; after: any; at: string }[];
  assert.deepEqual(events.map((e) => e.action), ['member-add', 'member-edit', 'member-passwd', 'member-ips']);
  assert.ok(events.every((e) => e.actor === ADMIN && e.subject === 'member:dora' && /^\d{4}-\d\d-\d\dT/.test(e.at)));
  assert.deepEqual([events[1]!.before.name, events[1]!.after.name, events[1]!.before.email, events[1]!.after.email], ['Dora', 'Dora B', 'dora@council.example', 'dora.b@council.example']);
  assert.deepEqual([events[2]!.before.hasPassword, events[2]!.after.hasPassword], [true, true]);
  assert.doesNotMatch(JSON.stringify(byMember.body), /scrypt|secret|passwordHash/);
  const renamed = await api(base, token, 'GET', '/audit-events?action=group-rename');
  assert.deepEqual(renamed.body.events.map((e: { subject: string }) => e.subject), ['group:indep', 'group:lib']);
});

test('the running proxy writes no decision-log staff line and sends no email for directory events', async () => {
  // A grant request after all the directory changes: its staff line and its email to the GSM come after
  // anything the directory events could have produced, so waiting for them waits for those too.
  await cli(['grants', 'request', '--member', 'alice', '--category', 'chat', '--reason', 'casework on a chat service']);
  const line = await harness.decisions.waitFor((l) => l.type === 'staff' && l.action === 'request');
  const mail = await sink.waitFor((m) => m.to.includes(GSM_EMAIL));
  assert.ok(line !== undefined && mail !== undefined);
  const staffLines = harness.decisions.lines.filter((l) => l.type === 'staff');
  assert.deepEqual(staffLines.map((l) => l.action), ['request'], 'directory events have no decision-log line');
  assert.deepEqual(sink.received.map((m) => m.to), [[GSM_EMAIL]], 'the only email is the GSM\'s for the request');
});
