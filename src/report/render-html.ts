/**
 * The report as HTML. `renderReportHtml` gives one self-contained file (no
 * script, no network: inline CSS and SVG, and a Content-Security-Policy that
 * forbids fetching anything); `renderReportBody` gives just the report's
 * markup, for the admin web UI to place in its own page with REPORT_CSS.
 * Every value from the logs is escaped (html-escape.ts). Prints on A4: charts
 * and tables avoid page breaks, table headers repeat.
 */
import { describeChain, describeScope, formatBytes, formatCount } from './format-values.ts';
import { escapeHtml } from './html-escape.ts';
import type { Count, Report } from './report-model.ts';
import { horizontalBarChart, OTHER_SERIES, SERIES_COLOURS, stackedDayChart, type DaySeries } from './svg-charts.ts';

export const REPORT_CSS = `
.wg-report { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; max-width: 60rem; margin: 0 auto; padding: 1rem; line-height: 1.4; }
.wg-report h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.wg-report h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #0072B2; padding-bottom: .2rem; }
.wg-report .meta { color: #444; margin: .2rem 0; }
.wg-report .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .6rem; margin: 1rem 0; padding: 0; list-style: none; }
.wg-report .figures li { border: 1px solid #ccc; border-radius: 4px; padding: .5rem .7rem; }
.wg-report .figures .value { display: block; font-size: 1.4rem; font-weight: 600; }
.wg-report .figures .label { font-size: .85rem; color: #444; }
.wg-report table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
.wg-report caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.wg-report th, .wg-report td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.wg-report th { background: #eef3f8; }
.wg-report td.num { text-align: right; font-variant-numeric: tabular-nums; }
.wg-report .chart { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
.wg-report .warning { background: #fff4e5; border-left: 4px solid #D55E00; padding: .5rem .8rem; }
.wg-report .ok { background: #eaf7f0; border-left: 4px solid #009E73; padding: .5rem .8rem; }
.wg-report .note { color: #444; font-size: .9rem; }
@media print {
  .wg-report { max-width: none; padding: 0; font-size: 10pt; }
  .wg-report h2 { break-after: avoid; }
  .wg-report figure, .wg-report .chart, .wg-report tr, .wg-report .figures li { break-inside: avoid; }
  .wg-report thead { display: table-header-group; }
  .wg-report * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { size: A4; margin: 15mm; }
}
`;

/** Categories drawn separately in the over-time chart; the rest are summed as "other categories". */
const CHART_SERIES = SERIES_COLOURS.length - 1;

/** The whole self-contained HTML document. */
export function renderReportHtml(report: Report): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>wardgate report: ${escapeHtml(describeScope(report))}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    renderReportBody(report),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The report's markup alone (a `<div class="wg-report">`), styled by REPORT_CSS. */
export function renderReportBody(report: Report): string {
  return `<div class="wg-report">\n${[header(report), summary(report), blocks(report), domains(report), grants(report), traffic(report), staff(report), chains(report), badLines(report)].join('\n')}\n</div>`;
}

function header(report: Report): string {
  const i = report.input;
  return (
    `<header><h1>Web filtering report</h1>` +
    `<p class="meta">Covers ${escapeHtml(describeScope(report))}.</p>` +
    `<p class="meta">Generated ${escapeHtml(report.generatedAt)} from ${formatCount(i.files.length)} decision log file(s), ${formatCount(i.linesRead)} lines` +
    (i.filesSkipped > 0 ? ` (${formatCount(i.filesSkipped)} file(s) dated outside the range not read)` : '') +
    `.</p></header>`
  );
}

function summary(report: Report): string {
  const s = report.summary;
  const figure = (value: string, label: string, key: string): string =>
    `<li data-figure="${key}"><span class="value">${escapeHtml(value)}</span><span class="label">${escapeHtml(label)}</span></li>`;
  return (
    `<section aria-labelledby="wg-summary"><h2 id="wg-summary">Summary</h2><ul class="figures">` +
    figure(formatCount(s.decisions), 'requests decided', 'decisions') +
    figure(formatCount(s.allow), 'allowed', 'allow') +
    figure(formatCount(s.block), 'blocked', 'block') +
    figure(formatCount(s.allowByGrant), 'allowed by grant', 'allow-by-grant') +
    figure(formatCount(s.refuse), 'refused (no member identified, bad request)', 'refuse') +
    figure(formatCount(s.staffActions), 'staff grant actions', 'staff-actions') +
    figure(formatCount(s.members), 'members', 'members') +
    figure(formatBytes(report.allowedTraffic.bytesOut), 'downloaded (allowed)', 'bytes-out') +
    `</ul><p class="meta">First line ${escapeHtml(s.firstTime ?? '–')}, last line ${escapeHtml(s.lastTime ?? '–')}.</p></section>`
  );
}

function blocks(report: Report): string {
  const b = report.blocks;
  const days = b.byDay.map((d) => d.key);
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const ranked = b.byCategory.map((c) => c.key);
  const drawn = ranked.slice(0, ranked.length > CHART_SERIES + 1 ? CHART_SERIES : CHART_SERIES + 1);
  const series: DaySeries[] = drawn.map((name) => ({ name, values: days.map(() => 0) }));
  const other: DaySeries = { name: OTHER_SERIES, values: days.map(() => 0) };
  for (const c of b.byCategoryDay) {
    const target = series.find((s) => s.name === c.category) ?? other;
    (target.values as number[])[dayIndex.get(c.day)!]! += c.count;
  }
  if (ranked.length > drawn.length) series.push(other);
  const catSummary = b.byCategory.slice(0, 5).map((c) => `${c.key} ${c.count}`).join(', ');
  return (
    `<section aria-labelledby="wg-blocks"><h2 id="wg-blocks">Blocked attempts</h2>` +
    figure(
      stackedDayChart(
        { id: 'wg-chart-category-days', title: 'Blocked attempts per category, per day (UTC)', desc: `${formatCount(report.summary.block)} blocked attempts over ${days.length} day(s). Most blocked: ${catSummary || 'none'}.` },
        days,
        series,
      ),
      'Blocked attempts per category over time',
    ) +
    countTable('Blocked attempts by category', 'Category', b.byCategory) +
    figure(
      horizontalBarChart(
        { id: 'wg-chart-groups', title: 'Blocked attempts per political group', desc: b.byGroup.map((g) => `${g.key} ${g.count}`).join(', ') || 'No blocked attempts.' },
        b.byGroup.map((g) => ({ label: g.key, value: g.count })),
      ),
      'Blocked attempts per group',
    ) +
    countTable('Blocked attempts by group', 'Group', b.byGroup) +
    countTable('Blocked attempts by member', 'Member', b.byMember) +
    countTable('Blocked attempts by day (UTC)', 'Day', b.byDay) +
    `</section>`
  );
}

function domains(report: Report): string {
  const top = report.topBlockedDomains;
  const note = top.exact ? '' : `<p class="note">More distinct hosts were blocked than the report counts exactly: each count is an upper bound, at most the "± up to" figure too high.</p>`;
  return (
    `<section aria-labelledby="wg-domains"><h2 id="wg-domains">Top blocked domains</h2>${note}` +
    figure(
      horizontalBarChart(
        { id: 'wg-chart-domains', title: 'Most blocked domains', desc: top.rows.slice(0, 5).map((r) => `${r.domain} ${r.count}`).join(', ') || 'No blocked attempts.' },
        top.rows.map((r) => ({ label: r.domain, value: r.count })),
      ),
      'Most blocked domains',
    ) +
    table(
      'Top blocked domains',
      top.exact ? ['Domain', 'Blocked'] : ['Domain', 'Blocked', '± up to'],
      top.rows.map((r) => (top.exact ? [r.domain, num(r.count)] : [r.domain, num(r.count), num(r.overcount)])),
    ) +
    `</section>`
  );
}

function grants(report: Report): string {
  return (
    `<section aria-labelledby="wg-grants"><h2 id="wg-grants">Exclusion grants used</h2>` +
    table(
      'Requests allowed by a grant',
      ['Grant', 'Member', 'Group', 'Scope', 'Requests', 'Bytes in', 'Bytes out'],
      report.grantsUsed.map((g) => [g.grant, g.member, g.group ?? '–', g.scope ?? '(not in the logs read)', num(g.count), bytes(g.bytesIn), bytes(g.bytesOut)]),
    ) +
    `</section>`
  );
}

function traffic(report: Report): string {
  const t = report.allowedTraffic;
  const cols = ['Requests', 'Bytes in', 'Bytes out'];
  return (
    `<section aria-labelledby="wg-traffic"><h2 id="wg-traffic">Allowed traffic</h2>` +
    `<p class="note">Requests allowed outright or by a grant. Bytes in: sent by members; bytes out: received by them.</p>` +
    table('Allowed traffic in total', cols, [[num(t.requests), bytes(t.bytesIn), bytes(t.bytesOut)]]) +
    table('Allowed traffic by member', ['Member', ...cols], t.byMember.map((m) => [m.member, num(m.requests), bytes(m.bytesIn), bytes(m.bytesOut)])) +
    table('Allowed traffic by day (UTC)', ['Day', ...cols], t.byDay.map((d) => [d.day, num(d.requests), bytes(d.bytesIn), bytes(d.bytesOut)])) +
    `</section>`
  );
}

function staff(report: Report): string {
  const s = report.staffActions;
  const more = s.omitted > 0 ? `<p class="note">${formatCount(s.omitted)} more actions not listed.</p>` : '';
  return (
    `<section aria-labelledby="wg-staff"><h2 id="wg-staff">Staff grant actions</h2>` +
    countTable('Grant actions by kind', 'Action', s.byAction) +
    table('Grant actions', ['Time (UTC)', 'Action', 'By', 'Grant', 'Member', 'Scope', 'Before', 'After'], s.rows.map((r) => [r.time, r.action, r.actor, r.grant, r.member, r.scope, r.before ?? '–', r.after])) +
    more +
    `</section>`
  );
}

function chains(report: Report): string {
  const parts = report.chains.map((c) => `<p class="${c.complete ? 'ok' : 'warning'}" data-chain="${escapeHtml(c.chain)}"><strong>${escapeHtml(c.chain)}</strong>: ${escapeHtml(describeChain(c))}</p>`);
  const breaks = report.chains.flatMap((c) =>
    c.gaps.map((g) => [c.chain, `${g.file}:${g.line}`, g.missing > 0 ? `${formatCount(g.missing)} line(s) missing: seq ${g.afterSeq} then ${g.seq}` : `out of order: seq ${g.seq} after ${g.afterSeq}`]),
  );
  return (
    `<section aria-labelledby="wg-chains"><h2 id="wg-chains">Are the records complete?</h2>` +
    `<p class="note">Each line of the decision log carries a sequence number; the report checks they run on without a gap. <code>wardgate logs verify</code> also checks every line's hash.</p>` +
    (parts.join('') || '<p>No lines read.</p>') +
    (breaks.length > 0 ? table('Where the sequence breaks', ['Chain', 'Where', 'What'], breaks) : '') +
    `</section>`
  );
}

function badLines(report: Report): string {
  const i = report.input;
  if (i.badLines === 0) return `<section aria-labelledby="wg-bad"><h2 id="wg-bad">Unreadable lines</h2><p>None.</p></section>`;
  return (
    `<section aria-labelledby="wg-bad"><h2 id="wg-bad">Unreadable lines</h2>` +
    `<p class="warning">${formatCount(i.badLines)} line(s) could not be read as decision records and were left out of the figures above.</p>` +
    countTable('Unreadable lines by reason', 'Reason', i.badByReason) +
    table('First examples', ['Where', 'Reason'], i.badSamples.map((b) => [`${b.file}:${b.line}`, b.reason])) +
    `</section>`
  );
}

/** A cell that is a number: right-aligned. */
interface NumCell {
  readonly num: string;
}
type Cell = string | NumCell;

function num(n: number): NumCell {
  return { num: formatCount(n) };
}

function bytes(n: number): NumCell {
  return { num: formatBytes(n) };
}

function countTable(caption: string, keyHeader: string, rows: readonly Count[]): string {
  return table(caption, [keyHeader, 'Count'], rows.map((r) => [r.key, num(r.count)]));
}

function table(caption: string, headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return `<p class="note">${escapeHtml(caption)}: none.</p>`;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell, i) => (typeof cell === 'string' ? (i === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`) : `<td class="num">${escapeHtml(cell.num)}</td>`)).join('')}</tr>`)
    .join('');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption class="note">${escapeHtml(caption)}</figcaption></figure>`;
}
