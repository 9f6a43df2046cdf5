/**
 * The four renderers on one report built from hostile values: every value
 * escaped for its format (HTML entities, CSV quoting and formula defusing,
 * no control characters on a terminal), and the figures present in each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, CSV_COLUMNS, renderCsv } from '../../src/report/render-csv.ts';
import { renderReportBody, renderReportHtml } from '../../src/report/render-html.ts';
import { renderJson } from '../../src/report/render-json.ts';
import { renderTable } from '../../src/report/render-table.ts';
import { escapeHtml } from '../../src/report/html-escape.ts';
import { ReportCollector } from '../../src/report/report-collector.ts';
import { NO_FILTER } from '../../src/report/report-filter.ts';
import type { Report } from '../../src/report/report-model.ts';
import { decisionJson, seal, staffJson, T0 } from './log-lines.ts';

const EVIL_HOST = '<script>alert("x")</script>.test';
const EVIL_SCOPE = 'url:evil.test/a"b,c\nd=e<img src=x onerror=alert(1)>';

function hostileReport(): Report {
  const c = new ReportCollector(NO_FILTER);
  const source = { chain: 'main', file: 'a&b<c>.log' };
  c.startFile(source);
  const { lines } = seal([
    decisionJson({ decision: 'block', host: EVIL_HOST, categories: ['gambling'] }),
    decisionJson({ decision: 'block', host: '=HYPERLINK("http://x")', categories: ['gambling'] }),
    decisionJson({ decision: 'block', host: 'term\u001b[2Jinal.test', categories: ['chat'] }),
    decisionJson({ decision: 'allow-by-grant', grants: ['g_"1"'], host: 'casino.test', categories: ['gambling'], bytesOut: 2048 }),
    staffJson({ grant: 'g_"1"', scope: EVIL_SCOPE }),
  ]);
  lines.forEach((l, i) => c.line(source, l, i + 1, true));
  c.line(source, 'garbage <b>', lines.length + 1, true);
  return c.finish(new Date(T0));
}

test('escapeHtml escapes the five special characters and replaces control characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeHtml('a\u0000b\u001bc\td\ne'), 'a\uFFFDb\uFFFDc\td\ne');
  assert.equal(escapeHtml(42), '42');
});

test('HTML: no value from the logs reaches the page unescaped', () => {
  const html = renderReportHtml(hostileReport());
  assert.ok(!html.includes('<script'), 'no script element');
  assert.ok(!html.includes('<img'), 'no injected element');
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.test'));
  assert.ok(html.includes('a&amp;b&lt;c&gt;.log'));
  assert.ok(!/\u001b/.test(html));
  // Every tag in the document is one the renderer writes.
  const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
  const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'div', 'header', 'h1', 'h2', 'p', 'section', 'ul', 'li', 'span', 'figure', 'figcaption', 'svg', 'desc', 'g', 'rect', 'text', 'line', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'code'];
  assert.deepEqual([...tags].filter((t) => !allowed.includes(t)), []);
  assert.ok(!/<[^>]*\s(src|href)=/i.test(html), 'no element refers to anything to fetch');
  assert.ok(html.includes(`Content-Security-Policy" content="default-src 'none'`));
});

test('HTML body: one wg-report block with three accessible charts and headed tables', () => {
  const body = renderReportBody(hostileReport());
  assert.ok(body.startsWith('<div class="wg-report">'));
  const charts = [...body.matchAll(/<svg [^>]*role="img"[^>]*aria-labelledby="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(charts, ['wg-chart-category-days-title wg-chart-category-days-desc', 'wg-chart-groups-title wg-chart-groups-desc', 'wg-chart-domains-title wg-chart-domains-desc']);
  for (const id of ['wg-chart-category-days', 'wg-chart-groups', 'wg-chart-domains']) {
    assert.match(body, new RegExp(`<title id="${id}-title">[^<]+</title><desc id="${id}-desc">[^<]+</desc>`));
  }
  assert.ok((body.match(/<th scope="col">/g) ?? []).length > 10);
  assert.match(body, /data-figure="block"><span class="value">3<\/span>/);
});

test('CSV: one header, quoting per RFC 4180, formulas defused, numbers bare', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell(' padded'), '" padded"');
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('-2'), "'-2");
  assert.equal(csvCell('@cmd'), "'@cmd");
  assert.equal(csvCell('+x,y'), `"'+x,y"`);
  assert.equal(csvCell(12), '12');
  assert.equal(csvCell(null), '');
  const csv = renderCsv(hostileReport());
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.ok(rows.every((r) => r.length === CSV_COLUMNS.length), 'every row has every column');
  const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
  const domains = rows.filter((r) => r[0] === 'top-blocked-domains').map((r) => r[col('domain')]);
  assert.ok(domains.includes(EVIL_HOST));
  assert.ok(domains.includes(`'=HYPERLINK("http://x")`));
  const grant = rows.find((r) => r[0] === 'grants-used')!;
  assert.equal(grant[col('grant')], 'g_"1"');
  assert.equal(grant[col('scope')], EVIL_SCOPE);
  assert.equal(grant[col('bytes_out')], '2048');
  assert.equal(rows.find((r) => r[0] === 'summary' && r[col('metric')] === 'block')![col('count')], '3');
});

test('table: control characters cannot reach the terminal', () => {
  const text = renderTable(hostileReport());
  assert.ok(!text.includes('\u001b'));
  assert.ok(text.includes('term?[2Jinal.test'));
  assert.match(text, /BAD LINES \(SKIPPED\)\nreason\s+lines\nnot JSON\s+1/);
});

test('JSON: the report object itself', () => {
  const report = hostileReport();
  assert.deepEqual(JSON.parse(renderJson(report)), JSON.parse(JSON.stringify(report)));
});

/** A strict RFC 4180 reader for the test (CRLF records, quoted fields). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  assert.equal(row.length, 0, 'ends with CRLF');
  return rows;
}
