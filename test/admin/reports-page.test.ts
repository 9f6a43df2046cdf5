/**
 * The Reports page of the admin web UI: the same report as `wardgate report`,
 * built from the real decision log files of a running wardgate. Traffic sent
 * through the proxy shows up in its figures; auditors and administrators see
 * it, a Group Support Manager does not; bad filters are a 400 naming the
 * problem; the downloads are the CLI's formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWardgate } from '../../src/main.ts';
import { startOrigin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { ALICE, basicAuth, seedDirectory, testConfig } from '../helpers/wardgate-harness.ts';
import { AdminClient, addStaff, STAFF_PASSWORD } from './admin-client.ts';

function figure(page: string, key: string): string | undefined {
  return new RegExp(`data-figure="${key}"><span class="value">([^<]*)<`).exec(page)?.[1];
}

test('the Reports page shows the traffic sent through the proxy, to auditors only, with filters and downloads', async (t) => {
  const origin = await startOrigin();
  t.after(() => origin.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-admin-report-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  await seedDirectory(dataDir);
  const config = testConfig(dataDir, { resolve: ['allowed.test', 'blocked-porn.test'].map((host) => ({ host, address: '127.0.0.1' })) });
  // No loggers passed: the real decision log files in DATA_DIR/logs, which the page reads.
  const wardgate = await startWardgate(config);
  t.after(() => wardgate.stop());
  await addStaff(dataDir, [
    { id: 'auditor1', role: 'auditor' },
    { id: 'gsm-labour', role: 'gsm', groupId: 'labour' },
  ]);
  const base = `http://127.0.0.1:${wardgate.adminAddress!.port}`;

  const send = async (host: string) =>
    (await viaProxy({ proxyPort: wardgate.address.port, url: `http://${host}:${origin.port}/small`, headers: { 'proxy-authorization': basicAuth(ALICE.id, ALICE.password) } })).status;
  for (let i = 0; i < 2; i += 1) assert.equal(await send('allowed.test'), 200);
  for (let i = 0; i < 3; i += 1) assert.equal(await send('blocked-porn.test'), 403);
  wardgate.loggers.flush();

  const auditor = new AdminClient(base);
  assert.equal((await auditor.signIn('auditor1', STAFF_PASSWORD)).status, 303);
  const page = await auditor.get('/reports');
  assert.equal(page.status, 200, page.text);
  assert.equal(figure(page.text, 'allow'), '2');
  assert.equal(figure(page.text, 'block'), '3');
  assert.match(page.text, /<svg[^>]+role="img"/, 'the charts are drawn');
  assert.match(page.text, /blocked-porn\.test/);
  // The form defaults to the last seven days, and the download links carry the same filters.
  const today = new Date().toISOString().slice(0, 10);
  assert.match(page.text, new RegExp(`id="r-to" name="to" value="${today}"`));
  assert.match(page.text, /href="\/reports\/download\?format=csv&amp;from=\d{4}-\d{2}-\d{2}&amp;to=/);

  // Filters: only the blocks; a member with no traffic has none.
  const blocksOnly = await auditor.get('/reports?decision=block');
  assert.equal(figure(blocksOnly.text, 'allow'), '0');
  assert.equal(figure(blocksOnly.text, 'block'), '3');
  assert.equal(figure((await auditor.get('/reports?member=bob')).text, 'block'), '0');

  const bad = await auditor.get('/reports?from=yesterday');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /yesterday/);

  const csv = await auditor.get(`/reports/download?format=csv&from=${today}&to=${today}`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(csv.headers.get('content-disposition') ?? '', /^attachment; filename="wardgate-report-/);
  const json = await auditor.get(`/reports/download?format=json&from=${today}&to=${today}`);
  assert.equal(JSON.parse(json.text).summary.block, 3);
  assert.equal((await auditor.get('/reports/download?format=exe')).status, 400);

  const gsm = new AdminClient(base);
  assert.equal((await gsm.signIn('gsm-labour', STAFF_PASSWORD)).status, 303);
  assert.equal((await gsm.get('/reports')).status, 403, 'a GSM sees no report');
  assert.equal((await gsm.get('/reports/download?format=csv')).status, 403);
});
