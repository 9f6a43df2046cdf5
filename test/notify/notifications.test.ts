/**
 * Email notifications against a local SMTP sink on 127.0.0.1, end to end:
 * a member asks through the proxy → their GSM gets mail; decisions made in
 * "another process" (the CLI, on its own store connection) → the member gets
 * mail; SMTP down → logged, retried, delivered once it is back, given up
 * after the configured attempts — and the proxy answers throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { runCli } from '../../src/cli.ts';
import type { NotificationsConfig } from '../../src/config/config.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { viaProxy, type ProxiedResponse } from '../helpers/proxy-client.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { FIXTURE_CATEGORIES, startHarness, type Harness } from '../helpers/wardgate-harness.ts';

const GSM_EMAIL = 'pat.jones@council.example';
const ALICE_EMAIL = 'alice@members.council.example';

function notifications(port: number, overrides: Partial<NotificationsConfig> = {}): NotificationsConfig {
  return {
    smtp: { host: '127.0.0.1', port, secure: false, user: null, passwordFile: null, passwordEnv: null, from: 'wardgate@council.example' },
    maxAttempts: 5,
    retryDelayMs: 100,
    ...overrides,
  };
}

async function cli(dataDir: string, args: string[], stdin = ''): Promise<string> {
  const io = memoryIO(stdin);
  const lists = args[0] === 'grants' && args[1] === 'approve' ? ['--categories', FIXTURE_CATEGORIES] : [];
  const code = await runCli([...args, '--data-dir', dataDir, ...lists], io);
  assert.equal(code, 0, `${args.join(' ')}: ${io.err()}`);
  return io.out();
}

async function setUpPeople(proxy: Harness): Promise<void> {
  await cli(proxy.dataDir, ['users', 'add', 'gsm-labour', '--role', 'gsm', '--group', 'labour', '--name', 'Pat Jones', '--email', GSM_EMAIL, '--password-stdin'], 'a long enough password\n');
  await cli(proxy.dataDir, ['users', 'add', 'gsm-green', '--role', 'gsm', '--group', 'green', '--email', 'green.gsm@council.example', '--password-stdin'], 'a long enough password\n');
  await cli(proxy.dataDir, ['members', 'set-email', 'alice', '--email', ALICE_EMAIL]);
}

function asAlice(proxy: Harness, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<ProxiedResponse> {
  return viaProxy({ proxyPort: proxy.port, url, method: init.method, body: init.body, headers: { 'proxy-authorization': proxy.aliceAuth, ...init.headers } });
}

/** Alice asks for `scope` on the block page of `url`, through the proxy; returns the new grant id. */
async function askThroughProxy(proxy: Harness, url: string, scope: string, reason: string): Promise<string> {
  const page = await asAlice(proxy, url);
  assert.equal(page.status, 403);
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.text)![1]!.replace(/&amp;/g, '&');
  const res = await asAlice(proxy, 'http://wardgate.invalid/request', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin },
    body: new URLSearchParams({ token: field('token'), url: field('url'), scope, reason, days: '10' }).toString(),
  });
  assert.equal(res.status, 303, res.text);
  return /sent=(g_[0-9a-f]+)/.exec(String(res.headers.location))![1]!;
}

test('request → the GSM is emailed; approve and revoke in another process → the member is emailed', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const proxy = await startHarness({ notifications: notifications(sink.port) });
  t.after(() => proxy.stop());
  await setUpPeople(proxy);

  const reason = 'Private: my constituent Mrs Example reported this site';
  const id = await askThroughProxy(proxy, 'http://blocked-porn.test/report?token=s3cret&user=jsmith', 'url', reason);
  const toGsm = await sink.waitFor((m) => m.text.includes(id));
  assert.deepEqual(toGsm.to, [GSM_EMAIL], 'only the GSM of the member\'s own group');
  assert.equal(toGsm.from, 'wardgate@council.example');
  assert.match(toGsm.subject, /Alice Example \(Labour\) asks for access/);
  assert.match(toGsm.text, /Alice Example \(alice\), a member of the Labour group/);
  assert.match(toGsm.text, /addresses starting blocked-porn\.test\/report \(with a query, not shown here\)/);
  assert.match(toGsm.text, /for 10 days/);
  assert.doesNotMatch(toGsm.raw, /s3cret|jsmith|token=/, 'no query string');
  assert.doesNotMatch(toGsm.raw, /Mrs Example|constituent/, 'the reason stays behind sign-in');
  assert.match(toGsm.raw, /Content-Type: text\/plain/i);

  await cli(proxy.dataDir, ['grants', 'approve', id, '--by', 'gsm-labour', '--days', '7', '--note', 'fine for the casework']);
  const approved = await sink.waitFor((m) => m.to.includes(ALICE_EMAIL) && /approved/.test(m.subject));
  assert.match(approved.text, /Dear Alice Example/);
  assert.match(approved.text, /Your Group Support Manager, Pat Jones approved your request/);
  assert.match(approved.text, /until \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/);
  assert.match(approved.text, /http:\/\/wardgate\.invalid\/requests/);
  assert.doesNotMatch(approved.raw, /fine for the casework/, 'the note is on the requests page, not in email');

  await cli(proxy.dataDir, ['grants', 'revoke', id, '--by', 'gsm-labour', '--note', 'done']);
  const revoked = await sink.waitFor((m) => m.to.includes(ALICE_EMAIL) && /revoked/.test(m.subject));
  assert.match(revoked.text, /was revoked by your Group Support Manager, Pat Jones/);

  // A decline reaches the member too.
  const second = await askThroughProxy(proxy, 'http://blocked-porn.test/', 'domain', 'Licensing review');
  await sink.waitFor((m) => m.text.includes(second) && m.to.includes(GSM_EMAIL));
  await cli(proxy.dataDir, ['grants', 'decline', second, '--by', 'gsm-labour', '--note', 'not needed']);
  const declined = await sink.waitFor((m) => m.to.includes(ALICE_EMAIL) && /declined/.test(m.subject));
  assert.match(declined.text, new RegExp(second));
  assert.equal(sink.received.filter((m) => m.to.includes('green.gsm@council.example')).length, 0, 'other groups\' GSMs hear nothing');
  assert.ok(proxy.app.lines.some((l) => l.msg === 'notification sent'));
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

test('SMTP down: the failure is logged and retried, the proxy answers meanwhile, and the mail goes once SMTP is back', async (t) => {
  const port = await freePort();
  const proxy = await startHarness({ notifications: notifications(port, { retryDelayMs: 200, maxAttempts: 6 }) });
  t.after(() => proxy.stop());
  await setUpPeople(proxy);

  const id = await askThroughProxy(proxy, 'http://blocked-porn.test/down', 'url', 'Committee report');
  const failed = await proxy.app.waitFor((l) => l.msg === 'notification could not be sent; will retry', 10_000);
  assert.equal((failed.notification as { grant: string }).grant, id);
  assert.match(String(failed.reason), /ECONNREFUSED|ESOCKET|ECONNECTION/);
  // The proxy is unaffected while mail is failing.
  assert.equal((await asAlice(proxy, 'http://blocked-porn.test/x')).status, 403);
  assert.equal((await asAlice(proxy, 'http://wardgate.invalid/requests')).status, 200);

  const sink = await startSmtpSink(port);
  t.after(() => sink.close());
  const mail = await sink.waitFor((m) => m.text.includes(id), 15_000);
  assert.deepEqual(mail.to, [GSM_EMAIL]);
  const sent = await proxy.app.waitFor((l) => l.msg === 'notification sent' && (l.notification as { grant: string }).grant === id);
  assert.ok((sent.attempts as number) >= 2, 'sent on a retry');
});

test('SMTP never back: given up after maxAttempts with an error, nothing else affected', async (t) => {
  const port = await freePort();
  const proxy = await startHarness({ notifications: notifications(port, { retryDelayMs: 100, maxAttempts: 2 }) });
  t.after(() => proxy.stop());
  await setUpPeople(proxy);
  const id = await askThroughProxy(proxy, 'http://blocked-porn.test/never', 'url', 'Committee report');
  const gaveUp = await proxy.app.waitFor((l) => l.msg === 'notification not sent: gave up after 2 attempts', 10_000);
  assert.equal((gaveUp.notification as { grant: string }).grant, id);
  assert.equal(proxy.app.lines.filter((l) => l.msg === 'notification could not be sent; will retry').length, 1);
  assert.equal((await asAlice(proxy, 'http://wardgate.invalid/requests')).status, 200);
});

test('without notifications.smtp nothing is sent and nothing is started', async (t) => {
  const proxy = await startHarness();
  t.after(() => proxy.stop());
  assert.equal(proxy.app.lines.some((l) => l.msg === 'email notifications on'), false);
  await setUpPeople(proxy);
  await askThroughProxy(proxy, 'http://blocked-porn.test/off', 'url', 'Committee report');
  await proxy.decisions.waitFor((l) => l.type === 'staff' && l.action === 'request');
  assert.equal(proxy.app.lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('notification')), false);
});

test('an SMTP password file that cannot be read stops serve with a message naming it', async () => {
  const missing = '/nonexistent/wardgate-smtp-password';
  const config = notifications(25);
  await assert.rejects(
    startHarness({ notifications: { ...config, smtp: { ...config.smtp!, user: 'wardgate', passwordFile: missing } } }),
    (error: Error & { code?: string }) => error.code === 'WF_ERR_CONFIG_INVALID' && error.message.includes(missing),
  );
});
