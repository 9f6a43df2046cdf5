/**
 * The exclusion workflow as people do it, in two headless Chromium browsers:
 * a member whose browser uses wardgate as its proxy (Basic credentials) meets
 * the block page, asks for access with its form (posted through the proxy to
 * the reserved self-service host), and sees the request pending; their Group
 * Support Manager signs in to the admin web UI, finds it in the queue and
 * approves it; the member's browser then reaches the site; the GSM revokes
 * it and the member is blocked again. Screenshots of each step are saved in
 * .tmp/screenshots/ (gitignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { addStaff, STAFF_PASSWORD } from '../admin/admin-client.ts';
import { chromiumSkip, launchChromium, SCREENSHOTS } from '../helpers/chromium.ts';
import { startOrigin } from '../helpers/origin.ts';
import { ALICE, startHarness } from '../helpers/wardgate-harness.ts';

const BLOCKED_HOST = 'blocked-porn.test';
const REASON = 'Scrutiny committee: evidence on age-verification failures <b>urgent</b>';

/** Loads `url` until it answers `want` (the proxy takes the decision within 1 s); bounded by `ms`. */
async function statusWithin(page: Page, url: string, want: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = (await page.goto(url, { timeout: 10_000 }))?.status() ?? 0;
    if (status === want || Date.now() >= deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a member asks for access from the block page, the GSM approves in the admin UI, the member gets through, revoke blocks again', { skip: chromiumSkip, timeout: 180_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'wardgate-browser-'));
  const browsers: BrowserContext[] = [];
  // Browsers first: Chromium writes to its profile until it has closed.
  t.after(async () => {
    await Promise.all(browsers.map((browser) => browser.close()));
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  const origin = await startOrigin();
  t.after(() => origin.close());
  const harness = await startHarness({ resolve: [{ host: BLOCKED_HOST, address: '127.0.0.1' }] });
  t.after(() => harness.stop());
  await addStaff(harness.dataDir, [{ id: 'gsm-labour', role: 'gsm', groupId: ALICE.group }]);
  const adminBase = `http://127.0.0.1:${harness.wardgate.adminAddress!.port}`;
  const siteUrl = `http://${BLOCKED_HOST}:${origin.port}/small`;
  mkdirSync(SCREENSHOTS, { recursive: true });

  const memberBrowser = await launchChromium({
    profileDir: join(work, 'member'),
    proxy: { server: `http://127.0.0.1:${harness.port}`, username: ALICE.id, password: ALICE.password },
  });
  browsers.push(memberBrowser);
  const gsmBrowser = await launchChromium({ profileDir: join(work, 'gsm') });
  browsers.push(gsmBrowser);
  const member = memberBrowser.pages()[0] ?? (await memberBrowser.newPage());
  const gsm = gsmBrowser.pages()[0] ?? (await gsmBrowser.newPage());

  // 1. The member is blocked, and the block page offers the form.
  assert.equal((await member.goto(siteUrl))?.status(), 403);
  assert.ok(await member.getByRole('heading', { name: 'This site is blocked' }).isVisible());
  assert.ok(await member.getByRole('heading', { name: 'Ask for access' }).isVisible());
  await member.screenshot({ path: join(SCREENSHOTS, 'workflow-1-block-page.png'), fullPage: true });

  // 2. They ask for the site for 14 days, with their reason; the form goes through the proxy.
  await member.locator('input[name="scope"]').first().check();
  await member.locator('#reason').fill(REASON);
  await member.locator('#days').fill('14');
  await Promise.all([member.waitForURL(/\/requests/), member.getByRole('button', { name: 'Ask for access' }).click()]);
  assert.equal(new URL(member.url()).hostname, 'wardgate.invalid');
  assert.ok(await member.getByRole('heading', { name: 'Your requests for access' }).isVisible());
  const mine = (await member.locator('main, body').first().innerText()).toLowerCase();
  assert.match(mine, /waiting for a decision/);
  assert.match(mine, new RegExp(BLOCKED_HOST.replace('.', '\\.')));
  await member.screenshot({ path: join(SCREENSHOTS, 'workflow-2-requests-pending.png'), fullPage: true });
  assert.equal((await member.goto(siteUrl))?.status(), 403, 'still blocked while pending');

  // 3. The GSM signs in and finds it in their queue, the reason shown as text.
  await gsm.goto(`${adminBase}/login`);
  await gsm.locator('#user').fill('gsm-labour');
  await gsm.locator('#password').fill(STAFF_PASSWORD);
  await Promise.all([gsm.waitForURL(/\/queue/), gsm.getByRole('button', { name: 'Sign in' }).click()]);
  const queue = await gsm.locator('body').innerText();
  assert.ok(queue.includes(REASON), 'the reason is shown exactly as written, markup as text');
  assert.equal(await gsm.locator('b', { hasText: 'urgent' }).count(), 0, 'the reason was not rendered as markup');
  await gsm.screenshot({ path: join(SCREENSHOTS, 'workflow-3-gsm-queue.png'), fullPage: true });

  // 4. The GSM approves (the 14 days asked for); the member gets through within a second.
  const approve = gsm.locator('form[action$="/approve"]').first();
  await approve.locator('textarea[name="note"]').fill('Approved for the inquiry');
  await Promise.all([gsm.waitForLoadState('load'), approve.getByRole('button', { name: 'Approve' }).click()]);
  assert.match(await gsm.locator('body').innerText(), /approved/i);
  const hits = origin.hits.length;
  assert.equal(await statusWithin(member, siteUrl, 200, 1_000), 200, 'allowed by the grant within 1 s');
  assert.ok(origin.hits.length > hits, 'the request reached the site');
  await member.goto('http://wardgate.invalid/requests');
  assert.match((await member.locator('body').innerText()).toLowerCase(), /approved/);
  await member.screenshot({ path: join(SCREENSHOTS, 'workflow-4-requests-approved.png'), fullPage: true });

  // 5. The GSM revokes it; the member is blocked again within a second.
  const revoke = gsm.locator('form[action$="/revoke"]').first();
  if ((await revoke.count()) === 0) await gsm.goto(`${adminBase}/grants?status=approved`);
  const revokeForm = gsm.locator('form[action$="/revoke"]').first();
  if ((await revokeForm.count()) === 0) {
    // The grant list links to the grant page, which carries the revoke form.
    await gsm.locator('a[href^="/grants/g_"]').first().click();
  }
  await Promise.all([gsm.waitForLoadState('load'), gsm.locator('form[action$="/revoke"]').first().getByRole('button', { name: 'Revoke' }).click()]);
  assert.match(await gsm.locator('body').innerText(), /revoked/i);
  assert.equal(await statusWithin(member, siteUrl, 403, 1_000), 403, 'blocked again within 1 s of the revoke');
  await member.screenshot({ path: join(SCREENSHOTS, 'workflow-5-blocked-again.png'), fullPage: true });
});
