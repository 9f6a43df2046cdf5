/**
 * Editable category settings over real sockets, on a whole wardgate: an
 * administrator turns `chat` enforcement off in the admin UI and the member
 * reaches chat-room.test through the proxy within one second; back to the
 * default blocks again within one second; a category made non-grantable is
 * refused to a grant request; GSM and auditor can only look; a form without
 * its CSRF token changes nothing; each change is an audit event.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiTokenStore } from '../../src/grants/api-token-store.ts';
import { CategorySettingsStore } from '../../src/grants/category-settings-store.ts';
import { queryAuditEvents } from '../../src/grants/sqlite-audit.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startOrigin, type Origin } from '../helpers/origin.ts';
import { viaProxy } from '../helpers/proxy-client.ts';
import { startHarness, type Harness } from '../helpers/wardgate-harness.ts';
import { addStaff, AdminClient, api, assertNoRawScript, STAFF_PASSWORD, statusWithin } from './admin-client.ts';

let harness: Harness;
let origin: Origin;
let base: string;
let adminToken: string;

function storedSettings() {
  const db = openDatabase(harness.dataDir);
  try {
    return new CategorySettingsStore(db).all();
  } finally {
    db.close();
  }
}

function categoryEvents() {
  const db = openDatabase(harness.dataDir);
  try {
    return queryAuditEvents(db, { action: 'category-setting' });
  } finally {
    db.close();
  }
}

const browseChat = async () =>
  (await viaProxy({ proxyPort: harness.port, url: `http://chat-room.test:${origin.port}/small`, headers: { 'proxy-authorization': harness.aliceAuth } })).status;

async function signedIn(id: string): Promise<AdminClient> {
  const client = new AdminClient(base);
  assert.equal((await client.signIn(id, STAFF_PASSWORD)).status, 303);
  assert.equal((await client.get('/categories')).status, 200);
  return client;
}

before(async () => {
  origin = await startOrigin();
  harness = await startHarness({ resolve: [{ host: 'chat-room.test', address: '127.0.0.1' }] });
  base = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  await addStaff(harness.dataDir, [
    { id: 'admin1', role: 'admin' },
    { id: 'gsm-labour', role: 'gsm', groupId: 'labour' },
    { id: 'auditor1', role: 'auditor' },
  ]);
  const db = openDatabase(harness.dataDir);
  adminToken = new ApiTokenStore(db).issue({ staffId: 'admin1', actor: 'cli:test' }).token;
  db.close();
});
after(async () => {
  await harness.stop();
  await origin.close();
});

test('admin turns chat enforcement off → allowed within 1 s; back to default → blocked within 1 s; audit before/after', async () => {
  assert.equal(await browseChat(), 403, 'chat is blocked by default');
  const admin = await signedIn('admin1');
  const pageBefore = await admin.get('/categories');
  assert.match(pageBefore.text, /<form method="post" action="\/categories\/chat"/);
  assert.match(pageBefore.text, /default \(yes\)/, 'the default shows its value');
  assertNoRawScript(pageBefore.text);

  const off = await admin.post('/categories/chat', { enforced: 'no', grantable: 'default' });
  assert.equal(off.status, 303);
  assert.equal(off.headers.get('location'), '/categories?done=category-saved');
  const allowed = await statusWithin(1_000, 200, browseChat);
  assert.equal(allowed.status, 200, `enforcement off honoured within one second (${allowed.tries} tries)`);

  const shown = await admin.get('/categories?done=category-saved');
  assert.match(shown.text, /Category setting saved/);
  assert.match(shown.text, /staff:admin1/, 'the page says who changed it');
  assert.match(shown.text, /<option value="no" selected>/);

  const back = await admin.post('/categories/chat', { enforced: 'default', grantable: 'default' });
  assert.equal(back.status, 303);
  const blocked = await statusWithin(1_000, 403, browseChat);
  assert.equal(blocked.status, 403, `default restored within one second (${blocked.tries} tries)`);
  assert.equal(storedSettings().has('chat'), false, 'no override left');

  const events = categoryEvents().filter((e) => e.subject === 'category:chat');
  assert.equal(events.length, 2);
  assert.equal(events[0]!.actor, 'staff:admin1');
  assert.equal(events[0]!.before, null);
  assert.deepEqual((events[0]!.after as { enforced: boolean | null }).enforced, false);
  assert.deepEqual((events[1]!.before as { enforced: boolean | null }).enforced, false);
  assert.equal(events[1]!.after, null);
});

test('admin makes a category non-grantable → a grant request for it is refused (403); default → accepted', async () => {
  const admin = await signedIn('admin1');
  assert.equal((await admin.post('/categories/chat', { enforced: 'default', grantable: 'no' })).status, 303);
  const ask = () => api(base, adminToken, 'POST', '/grants', { memberId: 'alice', scope: 'category:chat', reason: 'Group chat with residents', days: 7 });
  // The store-sync poll applies it within a second; ask until refused (bounded).
  const deadline = Date.now() + 1_000;
  let refused = await ask();
  while (refused.status !== 403 && Date.now() < deadline) {
    if (refused.status === 201) assert.fail('a grant for a category set non-grantable was accepted');
    await new Promise((r) => setTimeout(r, 25));
    refused = await ask();
  }
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.match(JSON.stringify(refused.body), /non-grantable/);

  assert.equal((await admin.post('/categories/chat', { enforced: 'default', grantable: 'default' })).status, 303);
  const again = await statusWithin(1_000, 201, async () => (await ask()).status);
  assert.equal(again.status, 201, 'grantable again once the override is cleared');
});

test('GSM and auditor see the settings read-only and get 403 on POST; nothing changes', async () => {
  const eventsBefore = categoryEvents().length;
  for (const id of ['gsm-labour', 'auditor1']) {
    const client = await signedIn(id);
    const page = await client.get('/categories');
    assert.equal(page.status, 200);
    assert.match(page.text, /chat/);
    assert.doesNotMatch(page.text, /action="\/categories\//, `${id} gets no form`);
    const res = await client.post('/categories/chat', { enforced: 'no', grantable: 'no' });
    assert.equal(res.status, 403, `${id} refused`);
  }
  assert.equal(storedSettings().size, 0);
  assert.equal(categoryEvents().length, eventsBefore);
  assert.equal(await browseChat(), 403);
});

test('missing CSRF token → 403; bad value and unknown category → clear 4xx; nothing changes', async () => {
  const admin = await signedIn('admin1');
  const eventsBefore = categoryEvents().length;
  assert.equal((await admin.post('/categories/chat', { _csrf: null, enforced: 'no' })).status, 403);
  assert.equal((await admin.post('/categories/chat', { _csrf: 'forged', enforced: 'no' })).status, 403);
  const bad = await admin.post('/categories/chat', { enforced: 'maybe' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /enforced must be/);
  const unknown = await admin.post('/categories/no-such-category', { enforced: 'no' });
  assert.equal(unknown.status, 404);
  const hostile = await admin.post(`/categories/${encodeURIComponent('<script>x</script>')}`, { enforced: 'no' });
  assert.equal(hostile.status, 404);
  assertNoRawScript(hostile.text);
  assert.equal(storedSettings().size, 0);
  assert.equal(categoryEvents().length, eventsBefore);
});

test('JSON API: everyone reads /api/v1/categories; only an admin sets one; bad values are 400', async () => {
  const db = openDatabase(harness.dataDir);
  const auditorToken = new ApiTokenStore(db).issue({ staffId: 'auditor1', actor: 'cli:test' }).token;
  db.close();
  const list = await api(base, auditorToken, 'GET', '/categories');
  assert.equal(list.status, 200);
  const chat = list.body.categories.find((c: { id: string }) => c.id === 'chat');
  assert.deepEqual(chat.default, { enforced: true, grantable: true });
  assert.equal(chat.override, null);
  assert.equal((await api(base, auditorToken, 'POST', '/categories/chat', { enforced: false })).status, 403);
  assert.equal((await api(base, adminToken, 'POST', '/categories/chat', { enforced: 'no' })).status, 400);
  assert.equal((await api(base, adminToken, 'POST', '/categories/nope', { enforced: false })).status, 404);
  assert.equal(storedSettings().size, 0, 'refused calls changed nothing');

  const set = await api(base, adminToken, 'POST', '/categories/chat', { enforced: false, grantable: null });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.category.enforced, false);
  assert.equal(set.body.category.override.updatedBy, 'staff:admin1');
  const allowed = await statusWithin(1_000, 200, browseChat);
  assert.equal(allowed.status, 200, `applied within one second (${allowed.tries} tries)`);
  const cleared = await api(base, adminToken, 'POST', '/categories/chat', { enforced: null, grantable: null });
  assert.equal(cleared.status, 200);
  assert.equal(cleared.body.category.override, null);
  assert.equal((await statusWithin(1_000, 403, browseChat)).status, 403);
});
