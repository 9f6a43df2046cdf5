/**
 * The issue's end-to-end flow over real sockets, on a whole wardgate: a
 * member is blocked through the proxy; a request for access is entered
 * through the API; the member's GSM approves through the API and the
 * member's next request goes through within one second; a revoke blocks
 * again within one second; the audit trail (read through the API) holds
 * every step with who did it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiTokenStore } from '../../src/grants/api-token-store.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startOrigin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { startHarness } from '../helpers/wardgate-harness.ts';
import { addStaff, api, statusWithin } from './admin-client.ts';

test('blocked → request (API) → GSM approves (API) → allowed within 1 s → revoke → blocked within 1 s; audit trail complete', async (t) => {
  const origin = await startOrigin();
  t.after(() => origin.close());
  const harness = await startHarness({ resolve: [{ host: 'blocked-porn.test', address: '127.0.0.1' }] });
  t.after(() => harness.stop());
  const base = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  await addStaff(harness.dataDir, [
    { id: 'gsm-labour', role: 'gsm', groupId: 'labour' },
    { id: 'auditor1', role: 'auditor' },
  ]);
  const db = openDatabase(harness.dataDir);
  const tokenStore = new ApiTokenStore(db);
  const gsm = tokenStore.issue({ staffId: 'gsm-labour', actor: 'cli:test' }).token;
  const auditor = tokenStore.issue({ staffId: 'auditor1', actor: 'cli:test' }).token;
  db.close();

  const browse = async () =>
    (await viaProxy({ proxyPort: harness.port, url: `http://blocked-porn.test:${origin.port}/small`, headers: { 'proxy-authorization': harness.aliceAuth } })).status;
  assert.equal(await browse(), 403, 'the member is blocked at first');
  const hitsBefore = origin.hits.length;

  const requested = await api(base, gsm, 'POST', '/grants', {
    memberId: 'alice',
    scope: 'domain:blocked-porn.test',
    reason: 'Scrutiny committee inquiry into age verification',
    days: 14,
  });
  assert.equal(requested.status, 201, JSON.stringify(requested.body));
  const id: string = requested.body.grant.id;
  assert.equal(requested.body.grant.status, 'pending');
  assert.equal(await browse(), 403, 'a pending request unlocks nothing');
  assert.equal(origin.hits.length, hitsBefore, 'blocked requests never reached the origin');

  const approved = await api(base, gsm, 'POST', `/grants/${id}/approve`, { days: 7, note: 'for the inquiry' });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.grant.status, 'approved');
  assert.equal(approved.body.grant.decidedBy, 'gsm-labour');
  const allowed = await statusWithin(1_000, 200, browse);
  assert.equal(allowed.status, 200, `approved grant honoured within one second (${allowed.tries} tries)`);
  const line = await harness.decisions.waitFor((l) => l.decision === 'allow-by-grant');
  assert.deepEqual(line.grants, [id]);

  const revoked = await api(base, gsm, 'POST', `/grants/${id}/revoke`, { note: 'inquiry closed' });
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.grant.status, 'revoked');
  const blocked = await statusWithin(1_000, 403, browse);
  assert.equal(blocked.status, 403, `revoked grant no longer honoured within one second (${blocked.tries} tries)`);

  const trail = await api(base, auditor, 'GET', `/audit-events?member=alice`);
  assert.equal(trail.status, 200);
  // By member: the changes to the member (here only the harness adding her) and then her grant's events.
  assert.deepEqual(trail.body.events[0] && [trail.body.events[0].action, trail.body.events[0].subject], ['member-add', 'member:alice']);
  const grantEvents = trail.body.events.filter((e: { subject: string }) => e.subject === id);
  const steps = grantEvents.map((e: { action: string; actor: string; subject: string; before: { status?: string } | null; after: { status: string } }) => [
    e.action,
    e.actor,
    e.subject,
    e.before?.status ?? null,
    e.after.status,
  ]);
  assert.deepEqual(steps, [
    ['request', 'staff:gsm-labour', id, null, 'pending'],
    ['approve', 'staff:gsm-labour', id, 'pending', 'approved'],
    ['revoke', 'staff:gsm-labour', id, 'approved', 'revoked'],
  ]);
  const audit = grantEvents as { after: { decisionNote?: string; revokeNote?: string } }[];
  assert.equal(audit[1]!.after.decisionNote, 'for the inquiry');
  assert.equal(audit[2]!.after.revokeNote, 'inquiry closed');
});
