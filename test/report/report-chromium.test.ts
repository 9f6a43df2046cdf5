/**
 * The HTML report checked as a person would see it: rendered by headless
 * Chromium (Debian's /usr/bin/chromium, driven by playwright-core), with its
 * three charts and the tables visible, no network request of any kind, and a
 * screenshot (screen and print media) and an A4 PDF saved in .tmp/screenshots/
 * (gitignored) for a human to look at. Skipped, saying why, where Chromium is not installed
 * (.ci/run installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReportHtml } from '../../src/report/render-html.ts';
import { ReportCollector } from '../../src/report/report-collector.ts';
import { NO_FILTER } from '../../src/report/report-filter.ts';
import { chromiumSkip, launchChromium, SCREENSHOTS } from '../helpers/chromium.ts';
import { mulberry32 } from '../helpers/prng.ts';
import { DAY, decisionJson, seal, staffJson, T0 } from './log-lines.ts';

const HOSTILE = '<img src="http://127.0.0.1:9/x">.test';
const CATEGORIES = ['pornography', 'chat', 'gambling', 'hate', 'drugs', 'violence', 'weapons', 'profanity', 'sex', 'tasteless', 'illegal'];

function sampleHtml(): string {
  const random = mulberry32(5);
  const members = [['alice', 'labour'], ['bob', 'green'], ['carol', 'conservative'], ['dan', 'libdem'], ['erin', 'independent']] as const;
  const jsons: string[] = [staffJson({ grant: 'g_1', scope: 'domain:chat-room.test', time: T0 - DAY })];
  for (let i = 0; i < 600; i += 1) {
    const [member, group] = members[Math.floor(random() * members.length)]!;
    const time = T0 + Math.floor(random() * 14) * DAY;
    const r = random();
    if (r < 0.6) jsons.push(decisionJson({ member, group, time, decision: 'allow', bytesOut: Math.floor(random() * 50_000) }));
    else if (r < 0.95) {
      const category = CATEGORIES[Math.floor(random() ** 2 * CATEGORIES.length)]!;
      jsons.push(decisionJson({ member, group, time, decision: 'block', categories: [category], host: `www.${category}-${Math.floor(random() ** 3 * 30)}.test` }));
    } else jsons.push(decisionJson({ member: 'alice', group: 'labour', time, decision: 'allow-by-grant', categories: ['chat'], grants: ['g_1'], host: 'chat-room.test', bytesOut: 900 }));
  }
  // A hostile host, often enough to be among the top domains, must show as text.
  for (let i = 0; i < 40; i += 1) jsons.push(decisionJson({ decision: 'block', categories: ['hate'], host: HOSTILE, time: T0 + (i % 14) * DAY }));
  const c = new ReportCollector(NO_FILTER);
  const source = { chain: 'main', file: 'decisions-2026-11-20.1.log' };
  c.startFile(source);
  seal(jsons).lines.forEach((line, i) => c.line(source, line, i + 1, true));
  return renderReportHtml(c.finish(new Date(T0 + 15 * DAY)));
}

test('the HTML report renders in headless Chromium: charts and tables visible, no network request', { skip: chromiumSkip, timeout: 120_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'wardgate-report-chromium-'));
  const file = join(work, 'report.html');
  writeFileSync(file, sampleHtml());
  const fileUrl = pathToFileURL(file).href;

  const context = await launchChromium({ profileDir: join(work, 'profile') });
  // Chromium writes to its profile until it has closed: close first, then remove.
  t.after(async () => {
    await context.close();
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  const requests: string[] = [];
  // Anything other than the report file itself is recorded and refused.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === fileUrl) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (request) => {
    if (request.url() !== fileUrl) requests.push(request.url());
  });
  await page.goto(fileUrl, { waitUntil: 'load', timeout: 30_000 });

  const charts = page.locator('svg[role="img"]');
  assert.equal(await charts.count(), 3);
  for (let i = 0; i < 3; i += 1) {
    const chart = charts.nth(i);
    assert.ok(await chart.isVisible(), `chart ${i} visible`);
    const box = await chart.boundingBox();
    assert.ok(box !== null && box.width > 300 && box.height > 100, `chart ${i} has a size: ${JSON.stringify(box)}`);
    const bars = await chart.locator('rect').evaluateAll((rects) => rects.filter((r) => {
      const box = (r as unknown as { getBBox(): { width: number; height: number } }).getBBox();
      return box.width > 0 && box.height > 0;
    }).length);
    assert.ok(bars >= 3, `chart ${i} draws bars (${bars})`);
    assert.ok(((await chart.locator('title').first().textContent()) ?? '').length > 10, `chart ${i} has a title`);
  }
  for (const caption of ['Blocked attempts by category', 'Blocked attempts by group', 'Top blocked domains', 'Requests allowed by a grant', 'Allowed traffic by member']) {
    const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) }).first();
    assert.ok(await table.isVisible(), `${caption} table visible`);
    assert.ok((await table.locator('thead th').count()) >= 2, `${caption} has column headers`);
  }
  assert.match((await page.locator('[data-figure="decisions"] .value').textContent()) ?? '', /^\d{3}$/);
  assert.equal(await page.locator('img').count(), 0, 'the hostile host is text, not an element');
  assert.ok(await page.locator('th', { hasText: HOSTILE }).first().isVisible(), 'the hostile host is shown as text in the domains table');

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(SCREENSHOTS, 'report-print.png'), fullPage: true });
  assert.ok(existsSync(join(SCREENSHOTS, 'report.png')));
  // Printed on A4 (the print CSS): a PDF of several pages, kept beside the screenshots.
  const pdf = await page.pdf({ format: 'A4', printBackground: true, path: join(SCREENSHOTS, 'report.pdf') });
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages >= 2 && pages <= 40, `printed on ${pages} A4 pages`);
  assert.deepEqual(requests, [], 'no request other than the file itself');
});
