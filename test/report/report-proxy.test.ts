/**
 * Issue 5's "done when": a known mix of allowed, blocked and granted requests
 * (and one refused) goes through the real proxy, which writes its real
 * decision log files; the report's counts equal that mix exactly, in every
 * format (table, CSV, JSON, HTML).
 *
 * The expected figures are tallied from the answers the test itself got
 * (403 → block, 407 → refuse, 200 from the granted chat host → allow-by-grant,
 * other 200 → allow), so waiting for the grant to take effect by retrying
 * cannot put the tally out of step with the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.ts';
import { startWardgate } from '../../src/main.ts';
import { CSV_COLUMNS } from '../../src/report/render-csv.ts';
import type { Report } from '../../src/report/report-model.ts';
import { memoryIO } from '../helpers/memory-io.ts';
import { startOrigin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { ALICE, BOB, basicAuth, FIXTURE_CATEGORIES, seedDirectory, testConfig } from '../helpers/wardgate-harness.ts';

type Outcome = 'allow' | 'block' | 'allow-by-grant' | 'refuse';

interface Tally {
  decisions: Record<Outcome, number>;
  blocksByMember: Record<string, number>;
  blocksByGroup: Record<string, number>;
  blocksByCategory: Record<string, number>;
  blocksByHost: Record<string, number>;
  granted: number;
  allowedBytesOut: number;
}

async function cli(args: string[], stdin = ''): Promise<string> {
  const io = memoryIO(stdin);
  const code = await runCli(args, io);
  assert.equal(code, 0, `${args.join(' ')}: ${io.err()}`);
  return io.out();
}

test('report counts equal the requests sent through the proxy, in every format', async (t) => {
  const origin = await startOrigin();
  t.after(() => origin.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-report-proxy-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  await seedDirectory(dataDir);
  const hosts = ['allowed.test', 'blocked-porn.test', 'chat-room.test'];
  const config = testConfig(dataDir, { resolve: hosts.map((host) => ({ host, address: '127.0.0.1' })) });
  // No loggers passed: wardgate writes its real rotating, chained decision log in DATA_DIR/logs.
  const wardgate = await startWardgate(config);
  let stopped = false;
  t.after(async () => {
    if (!stopped) await wardgate.stop();
  });

  const tally: Tally = { decisions: { allow: 0, block: 0, 'allow-by-grant': 0, refuse: 0 }, blocksByMember: {}, blocksByGroup: {}, blocksByCategory: {}, blocksByHost: {}, granted: 0, allowedBytesOut: 0 };
  const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);
  const send = async (who: 'alice' | 'bob' | 'nobody', host: string): Promise<number> => {
    const res = await viaProxy({
      proxyPort: wardgate.address.port,
      url: `http://${host}:${origin.port}/small`,
      headers: who === 'alice' ? { 'proxy-authorization': basicAuth(ALICE.id, ALICE.password) } : {},
      ...(who === 'bob' ? { localAddress: BOB.address } : {}),
    });
    const member = who === 'alice' ? ALICE : BOB;
    if (res.status === 407) tally.decisions.refuse += 1;
    else if (res.status === 403) {
      tally.decisions.block += 1;
      bump(tally.blocksByMember, member.id);
      bump(tally.blocksByGroup, member.group);
      bump(tally.blocksByCategory, String(res.headers['x-wardgate-categories']));
      bump(tally.blocksByHost, host);
    } else {
      assert.equal(res.status, 200, `${who} → ${host}`);
      const granted = who === 'alice' && host === 'chat-room.test';
      tally.decisions[granted ? 'allow-by-grant' : 'allow'] += 1;
      if (granted) tally.granted += 1;
      tally.allowedBytesOut += res.body.length;
    }
    return res.status;
  };

  for (let i = 0; i < 3; i += 1) assert.equal(await send('alice', 'allowed.test'), 200);
  for (let i = 0; i < 2; i += 1) assert.equal(await send('alice', 'blocked-porn.test'), 403);
  assert.equal(await send('alice', 'chat-room.test'), 403);
  for (let i = 0; i < 2; i += 1) assert.equal(await send('bob', 'allowed.test'), 200);
  assert.equal(await send('bob', 'chat-room.test'), 403);
  assert.equal(await send('bob', 'blocked-porn.test'), 403);
  assert.equal(await send('nobody', 'allowed.test'), 407);

  // Alice is granted the chat host by her group's GSM, in another "process" (the CLI on the same store).
  await cli(['users', 'add', 'gsm-labour', '--role', 'gsm', '--group', 'labour', '--name', 'Labour GSM', '--password-stdin', '--data-dir', dataDir], 'a long enough password\n');
  await cli(['grants', 'request', '--member', 'alice', '--domain', 'chat-room.test', '--reason', 'Licensing committee review', '--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES]);
  const grant = (JSON.parse((await cli(['grants', 'list', '--json', '--data-dir', dataDir])).trim()) as { id: string }).id;
  await cli(['grants', 'approve', grant, '--by', 'gsm-labour', '--days', '7', '--data-dir', dataDir, '--categories', FIXTURE_CATEGORIES]);
  const deadline = Date.now() + 5_000;
  while ((await send('alice', 'chat-room.test')) !== 200) {
    assert.ok(Date.now() < deadline, 'grant not honoured within 5 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < 2; i += 1) assert.equal(await send('alice', 'chat-room.test'), 200);
  assert.equal(await send('bob', 'chat-room.test'), 403, "alice's grant is not bob's");

  await wardgate.stop();
  stopped = true;

  const run = async (format: string): Promise<string> => cli(['report', '--data-dir', dataDir, '--format', format]);
  const total = Object.values(tally.decisions).reduce((a, b) => a + b, 0);
  const allowedRequests = tally.decisions.allow + tally.decisions['allow-by-grant'];

  // JSON: every figure.
  const json = JSON.parse(await run('json')) as Report;
  assert.deepEqual(
    { ...json.summary, firstTime: null, lastTime: null },
    { decisions: total, allow: tally.decisions.allow, block: tally.decisions.block, allowByGrant: tally.decisions['allow-by-grant'], refuse: tally.decisions.refuse, staffActions: 2, members: 2, firstTime: null, lastTime: null },
  );
  const asRecord = (rows: readonly { key: string; count: number }[]) => Object.fromEntries(rows.map((r) => [r.key, r.count]));
  assert.deepEqual(asRecord(json.blocks.byMember), tally.blocksByMember);
  assert.deepEqual(asRecord(json.blocks.byGroup), tally.blocksByGroup);
  assert.deepEqual(asRecord(json.blocks.byCategory), tally.blocksByCategory);
  assert.deepEqual(Object.fromEntries(json.topBlockedDomains.rows.map((r) => [r.domain, r.count])), tally.blocksByHost);
  assert.deepEqual(json.grantsUsed.map((g) => [g.grant, g.member, g.group, g.scope, g.count]), [[grant, 'alice', 'labour', 'domain:chat-room.test', tally.granted]]);
  assert.equal(json.allowedTraffic.requests, allowedRequests);
  assert.equal(json.allowedTraffic.bytesOut, tally.allowedBytesOut);
  assert.deepEqual(json.staffActions.rows.map((r) => [r.action, r.grant, r.member, r.before, r.after]), [['request', grant, 'alice', null, 'pending'], ['approve', grant, 'alice', 'pending', 'approved']]);
  assert.equal(json.chains.length, 1);
  assert.equal(json.chains[0]!.complete, true, 'the log the proxy wrote is consecutive');
  assert.equal(json.input.badLines, 0);

  // CSV: the same figures from the rows.
  const csv = (await run('csv')).trimEnd().split('\r\n').map((line) => line.split(','));
  assert.deepEqual(csv[0], [...CSV_COLUMNS]);
  const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
  const metric = (name: string) => Number(csv.find((r) => r[0] === 'summary' && r[col('metric')] === name)![col('count')]);
  assert.deepEqual(
    ['decisions', 'allow', 'block', 'allow-by-grant', 'refuse', 'staff-actions'].map(metric),
    [total, tally.decisions.allow, tally.decisions.block, tally.decisions['allow-by-grant'], tally.decisions.refuse, 2],
  );
  const section = (name: string, key: string) => Object.fromEntries(csv.filter((r) => r[0] === name).map((r) => [r[col(key)], Number(r[col('count')])]));
  assert.deepEqual(section('blocks-by-member', 'member'), tally.blocksByMember);
  assert.deepEqual(section('blocks-by-group', 'group'), tally.blocksByGroup);
  assert.deepEqual(section('blocks-by-category', 'category'), tally.blocksByCategory);
  assert.deepEqual(section('top-blocked-domains', 'domain'), tally.blocksByHost);
  assert.deepEqual(section('grants-used', 'grant'), { [grant]: tally.granted });
  const allowedRow = csv.find((r) => r[0] === 'allowed-total')!;
  assert.deepEqual([Number(allowedRow[col('count')]), Number(allowedRow[col('bytes_out')])], [allowedRequests, tally.allowedBytesOut]);

  // Table: the summary lines and the sections' rows.
  const table = await run('table');
  const figure = (label: string) => Number(new RegExp(`\\n${label}\\s+([\\d,]+)\\n`).exec(table)![1]!.replace(/,/g, ''));
  assert.deepEqual(
    ['decisions', 'allowed', 'blocked', 'allowed by grant', 'refused \\(no member identified, bad request\\)', 'staff grant actions'].map(figure),
    [total, tally.decisions.allow, tally.decisions.block, tally.decisions['allow-by-grant'], tally.decisions.refuse, 2],
  );
  const tableSection = (title: string) => {
    const body = table.split(`\n${title.toUpperCase()}\n`)[1]!.split('\n\n')[0]!.split('\n').slice(1);
    return Object.fromEntries(body.map((line) => line.split(/\s{2,}/)).map(([key, count]) => [key!, Number(count!.replace(/,/g, ''))]));
  };
  assert.deepEqual(tableSection('Blocked attempts by member'), tally.blocksByMember);
  assert.deepEqual(tableSection('Blocked attempts by group'), tally.blocksByGroup);
  assert.deepEqual(tableSection('Blocked attempts by category'), tally.blocksByCategory);
  assert.deepEqual(tableSection('Top blocked domains'), tally.blocksByHost);
  assert.match(table, new RegExp(`\\n${grant}\\s+alice\\s+labour\\s+domain:chat-room\\.test\\s+${tally.granted}\\s`));
  assert.match(table, /main\s+seq 1–\d+, \d+ sealed lines in 1 file: consecutive, nothing missing/);

  // HTML: the summary figures and the tables' cells.
  const html = await run('html');
  const htmlFigure = (key: string) => Number(new RegExp(`data-figure="${key}"><span class="value">([\\d,]+)<`).exec(html)![1]!.replace(/,/g, ''));
  assert.deepEqual(
    ['decisions', 'allow', 'block', 'allow-by-grant', 'refuse', 'staff-actions', 'members'].map(htmlFigure),
    [total, tally.decisions.allow, tally.decisions.block, tally.decisions['allow-by-grant'], tally.decisions.refuse, 2, 2],
  );
  const htmlTable = (caption: string) => {
    const body = html.split(`<caption>${caption}</caption>`)[1]!.split('</table>')[0]!;
    return Object.fromEntries([...body.matchAll(/<tr><th scope="row">([^<]+)<\/th><td class="num">([\d,]+)<\/td><\/tr>/g)].map((m) => [m[1]!, Number(m[2]!.replace(/,/g, ''))]));
  };
  assert.deepEqual(htmlTable('Blocked attempts by member'), tally.blocksByMember);
  assert.deepEqual(htmlTable('Blocked attempts by group'), tally.blocksByGroup);
  assert.deepEqual(htmlTable('Blocked attempts by category'), tally.blocksByCategory);
  assert.deepEqual(htmlTable('Top blocked domains'), tally.blocksByHost);
  assert.match(html, new RegExp(`<th scope="row">${grant}</th><td>alice</td><td>labour</td><td>domain:chat-room.test</td><td class="num">${tally.granted}</td>`));
});
