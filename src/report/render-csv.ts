/**
 * The report as one CSV table (RFC 4180, CRLF line ends) for spreadsheets:
 * one header, one `section` column saying what each row is, and named
 * columns left empty where a section has nothing to put (pivot or filter on
 * `section`). Sections: summary, blocks-by-member, blocks-by-group,
 * blocks-by-category, blocks-by-day, blocks-by-category-day,
 * top-blocked-domains, grants-used, allowed-total, allowed-by-member,
 * allowed-by-day, staff-actions-by-action, staff-action, chain, chain-break,
 * bad-lines, bad-line.
 *
 * Text cells beginning with = + - @ or a tab/CR get a leading apostrophe, so a
 * crafted host or member id in a log cannot run as a spreadsheet formula.
 */
import type { Report } from './report-model.ts';

export const CSV_COLUMNS = [
  'section', 'metric', 'time', 'day', 'member', 'group', 'category', 'domain', 'grant', 'scope',
  'action', 'actor', 'before', 'after', 'chain', 'file', 'line', 'count', 'overcount', 'bytes_in', 'bytes_out',
] as const;

type Column = (typeof CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string | number | null>>;

export function renderCsv(report: Report): string {
  const rows: Row[] = [];
  const add = (section: string, values: readonly Row[]): void => {
    for (const v of values) rows.push({ section, ...v });
  };
  const s = report.summary;
  const i = report.input;
  add('summary', [
    { metric: 'decisions', count: s.decisions },
    { metric: 'allow', count: s.allow },
    { metric: 'block', count: s.block },
    { metric: 'allow-by-grant', count: s.allowByGrant },
    { metric: 'refuse', count: s.refuse },
    { metric: 'staff-actions', count: s.staffActions },
    { metric: 'members', count: s.members },
    { metric: 'first-time', time: s.firstTime },
    { metric: 'last-time', time: s.lastTime },
    { metric: 'files-read', count: i.files.length },
    { metric: 'files-skipped', count: i.filesSkipped },
    { metric: 'lines-read', count: i.linesRead },
    { metric: 'bad-lines', count: i.badLines },
    { metric: 'from', time: report.filter.from },
    { metric: 'to', time: report.filter.to },
    { metric: 'generated', time: report.generatedAt },
  ]);
  const b = report.blocks;
  add('blocks-by-member', b.byMember.map((c) => ({ member: c.key, count: c.count })));
  add('blocks-by-group', b.byGroup.map((c) => ({ group: c.key, count: c.count })));
  add('blocks-by-category', b.byCategory.map((c) => ({ category: c.key, count: c.count })));
  add('blocks-by-day', b.byDay.map((c) => ({ day: c.key, count: c.count })));
  add('blocks-by-category-day', b.byCategoryDay.map((c) => ({ category: c.category, day: c.day, count: c.count })));
  add('top-blocked-domains', report.topBlockedDomains.rows.map((r) => ({ domain: r.domain, count: r.count, overcount: r.overcount })));
  add('grants-used', report.grantsUsed.map((g) => ({ grant: g.grant, member: g.member, group: g.group, scope: g.scope, count: g.count, bytes_in: g.bytesIn, bytes_out: g.bytesOut })));
  const t = report.allowedTraffic;
  add('allowed-total', [{ count: t.requests, bytes_in: t.bytesIn, bytes_out: t.bytesOut }]);
  add('allowed-by-member', t.byMember.map((m) => ({ member: m.member, count: m.requests, bytes_in: m.bytesIn, bytes_out: m.bytesOut })));
  add('allowed-by-day', t.byDay.map((d) => ({ day: d.day, count: d.requests, bytes_in: d.bytesIn, bytes_out: d.bytesOut })));
  add('staff-actions-by-action', report.staffActions.byAction.map((c) => ({ action: c.key, count: c.count })));
  add('staff-action', report.staffActions.rows.map((r) => ({ time: r.time, action: r.action, actor: r.actor, grant: r.grant, member: r.member, group: r.group, scope: r.scope, before: r.before, after: r.after })));
  for (const c of report.chains) {
    add('chain', [{ chain: c.chain, metric: c.complete ? 'complete' : 'incomplete', count: c.sealedLines }]);
    add('chain-break', c.gaps.map((g) => ({ chain: c.chain, file: g.file, line: g.line, metric: g.missing > 0 ? 'missing' : 'out-of-order', count: g.missing })));
  }
  add('bad-lines', i.badByReason.map((r) => ({ metric: r.key, count: r.count })));
  add('bad-line', i.badSamples.map((r) => ({ file: r.file, line: r.line, metric: r.reason })));
  return [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => csvCell(row[c])).join(','))].join('\r\n') + '\r\n';
}

/** One CSV field: numbers as they are, text quoted when needed and defused against formulas. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
