import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createDecisionLogger, createLoggers, DEFAULT_DECISION_LOG_SETTINGS } from '../../src/log/loggers.ts';
import { decisionLogDir, listDecisionLogFiles } from '../../src/log/log-files.ts';
import { reduceUrl, type PrivacyMode } from '../../src/log/privacy.ts';
import { toStaffRecord } from '../../src/log/staff-record.ts';
import { createLogSink } from '../helpers/log-sink.ts';
import { fakeClock, parsedLinesOf, record, tempDataDir } from './decision-log-helpers.ts';

test('reduceUrl keeps the full URL, drops the query, or keeps only scheme://host[:port]', () => {
  const cases: [string, PrivacyMode, string][] = [
    ['http://a.example/p/q?x=1&y=2', 'full', 'http://a.example/p/q?x=1&y=2'],
    ['http://a.example/p/q?x=1&y=2', 'no-query', 'http://a.example/p/q'],
    ['http://a.example/p/q?x=1&y=2', 'host', 'http://a.example'],
    ['https://a.example:8443/p?x', 'host', 'https://a.example:8443'],
    ['http://[::1]:81/?x', 'host', 'http://[::1]:81'],
    ['https://a.example:443', 'no-query', 'https://a.example:443'],
    ['https://a.example:443', 'host', 'https://a.example:443'],
    ['ws://chat.example/socket?token=abc', 'no-query', 'ws://chat.example/socket'],
    ['', 'host', ''],
    ['example.com/reports/2026?id=4', 'no-query', 'example.com/reports/2026'],
    ['example.com/reports/2026?id=4', 'host', 'example.com'],
  ];
  for (const [url, mode, expected] of cases) assert.equal(reduceUrl(url, mode), expected, `${mode} ${url}`);
});

test('the decision logger applies the privacy mode to target (and to a url: scope of a staff line) and leaves host alone', async () => {
  for (const [mode, target] of [
    ['full', 'http://site-1.example/page/1?q=term-1'],
    ['no-query', 'http://site-1.example/page/1'],
    ['host', 'http://site-1.example'],
  ] as const) {
    const prefix = target.slice('http://'.length);
    const sink = createLogSink();
    const log = createDecisionLogger(sink.stream, { privacy: mode });
    log.info(record(1));
    log.info(
      toStaffRecord({
        event: 1,
        action: 'approve',
        actor: 'staff:gsm-green',
        role: 'gsm',
        via: 'web',
        grant: { id: 'g_1', memberId: 'cllr-smith', groupId: 'green', scope: { kind: 'url', prefix: 'site-1.example/page/1?q=term-1' }, expiresAt: 1 },
        before: 'pending',
        after: 'approved',
      }),
    );
    const decision = await sink.waitFor((l) => l.id === 'req-1');
    const staff = await sink.waitFor((l) => l.type === 'staff');
    assert.equal(decision.target, target, mode);
    assert.equal(decision.host, 'site-1.example');
    assert.equal(staff.scope, `url:${prefix}`, mode);
  }
});

test('the decision logger can take its time from a clock, and labels the level', async () => {
  const sink = createLogSink();
  createDecisionLogger(sink.stream, { now: () => 1_234 }).info(record(1));
  const line = await sink.waitFor(() => true);
  assert.equal(line.time, 1_234);
  assert.equal(line.level, 'info');
});

test('toStaffRecord: the v1 staff line, scope in the audit trail\'s text form, and wardgate itself for an expiry', () => {
  const grant = { id: 'g_9', memberId: 'cllr-jones', groupId: 'blue', scope: { kind: 'domain', domain: 'casino.example' } as const, expiresAt: 1_800_000_000_000 };
  assert.deepEqual(
    toStaffRecord({ event: 41, action: 'revoke', actor: 'staff:admin-1', role: 'admin', via: 'cli', grant, before: 'approved', after: 'revoked' }),
    {
      v: 1,
      type: 'staff',
      event: 41,
      action: 'revoke',
      actor: 'staff:admin-1',
      role: 'admin',
      via: 'cli',
      client: null,
      grant: 'g_9',
      member: 'cllr-jones',
      group: 'blue',
      scope: 'domain:casino.example',
      before: 'approved',
      after: 'revoked',
      expires: 1_800_000_000_000,
    },
  );
  const expired = toStaffRecord({ event: 42, action: 'expire', actor: 'system', via: 'system', grant: { ...grant, scope: { kind: 'category', category: 'gambling' } }, before: 'approved', after: 'expired' });
  assert.deepEqual([expired.actor, expired.role, expired.via, expired.scope], ['system', null, 'system', 'category:gambling']);
});

test('createLoggers with decisionLog settings writes the rotating, chained log under DATA_DIR/logs; flush() is synchronous', async (t) => {
  const dataDir = tempDataDir(t);
  const stdout = new PassThrough();
  let echoed = '';
  stdout.on('data', (c: Buffer) => (echoed += c.toString()));
  const loggers = createLoggers(dataDir, { level: 'info', decisionsToStdout: true, decisionLog: { ...DEFAULT_DECISION_LOG_SETTINGS, privacy: 'host', compress: false } }, stdout, { clock: fakeClock() });
  t.after(() => loggers.close?.());
  loggers.decisions.info(record(1));
  loggers.flush();
  const [file] = listDecisionLogFiles(decisionLogDir(dataDir));
  assert.equal(file!.name, 'decisions-2026-11-23.1.log');
  const lines = parsedLinesOf(file!.path);
  assert.deepEqual(lines.map((l) => l.type ?? l.id), ['file', 'req-1']);
  assert.equal(lines[1]!.target, 'http://site-1.example');
  assert.match(echoed, /"id":"req-1"/);
  assert.doesNotMatch(echoed, /term-1/, 'stdout gets the reduced target too');
  await loggers.close!();
  assert.equal(existsSync(join(decisionLogDir(dataDir), 'decisions.lock')), false);
});
