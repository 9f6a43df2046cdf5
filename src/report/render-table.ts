/**
 * The report as plain text for a terminal or a mail: one titled table per
 * section, columns two spaces apart. Control characters in values are shown
 * as '?', so a crafted host name cannot move the cursor or fake rows.
 */
import { describeChain, describeScope, formatBytes, formatCount } from './format-values.ts';
import type { Count, Report } from './report-model.ts';

export function renderTable(report: Report): string {
  const out: string[] = [];
  const s = report.summary;
  const input = report.input;
  out.push(`wardgate report, generated ${report.generatedAt}`);
  out.push(`Covers: ${describeScope(report)}`);
  out.push(`Read: ${formatCount(input.files.length)} file(s), ${formatCount(input.linesRead)} lines` +
    (input.filesSkipped > 0 ? `; ${formatCount(input.filesSkipped)} file(s) skipped, dated outside the range` : '') +
    `; ${formatCount(input.badLines)} bad line(s)`);
  section(out, 'Summary', ['figure', 'value'], [
    ['decisions', formatCount(s.decisions)],
    ['allowed', formatCount(s.allow)],
    ['blocked', formatCount(s.block)],
    ['allowed by grant', formatCount(s.allowByGrant)],
    ['refused (no member identified, bad request)', formatCount(s.refuse)],
    ['staff grant actions', formatCount(s.staffActions)],
    ['members with decisions', formatCount(s.members)],
    ['first line', s.firstTime ?? '-'],
    ['last line', s.lastTime ?? '-'],
  ]);
  section(out, 'Blocked attempts by member', ['member', 'blocked'], counts(report.blocks.byMember));
  section(out, 'Blocked attempts by group', ['group', 'blocked'], counts(report.blocks.byGroup));
  section(out, 'Blocked attempts by category', ['category', 'blocked'], counts(report.blocks.byCategory));
  section(out, 'Blocked attempts by day (UTC)', ['day', 'blocked'], counts(report.blocks.byDay));
  const top = report.topBlockedDomains;
  section(
    out,
    `Top blocked domains${top.exact ? '' : ' (approximate: counts are upper bounds, "± up to" shows by how much)'}`,
    top.exact ? ['domain', 'blocked'] : ['domain', 'blocked', '± up to'],
    top.rows.map((r) => (top.exact ? [r.domain, formatCount(r.count)] : [r.domain, formatCount(r.count), formatCount(r.overcount)])),
  );
  section(
    out,
    'Grants used',
    ['grant', 'member', 'group', 'scope', 'requests', 'bytes in', 'bytes out'],
    report.grantsUsed.map((g) => [g.grant, g.member, g.group ?? '-', g.scope ?? '(not in the logs read)', formatCount(g.count), formatBytes(g.bytesIn), formatBytes(g.bytesOut)]),
  );
  const t = report.allowedTraffic;
  section(out, 'Allowed traffic (allow and allow-by-grant)', ['', 'requests', 'bytes in', 'bytes out'], [
    ['total', formatCount(t.requests), formatBytes(t.bytesIn), formatBytes(t.bytesOut)],
    ...t.byMember.map((m) => [`member ${m.member}`, formatCount(m.requests), formatBytes(m.bytesIn), formatBytes(m.bytesOut)]),
    ...t.byDay.map((d) => [`day ${d.day}`, formatCount(d.requests), formatBytes(d.bytesIn), formatBytes(d.bytesOut)]),
  ]);
  const staff = report.staffActions;
  section(out, 'Staff grant actions by action', ['action', 'count'], counts(staff.byAction));
  section(
    out,
    `Staff grant actions${staff.omitted > 0 ? ` (first ${formatCount(staff.rows.length)}; ${formatCount(staff.omitted)} more not listed)` : ''}`,
    ['time', 'action', 'actor', 'grant', 'member', 'scope', 'before', 'after'],
    staff.rows.map((r) => [r.time, r.action, r.actor, r.grant, r.member, r.scope, r.before ?? '-', r.after]),
  );
  section(out, 'Chain completeness (are the lines consecutive?)', ['chain', 'result'], report.chains.map((c) => [c.chain, describeChain(c)]));
  const gaps = report.chains.flatMap((c) => c.gaps.map((g) => [c.chain, `${g.file}:${g.line}`, g.missing > 0 ? `${formatCount(g.missing)} missing: seq ${g.afterSeq} then ${g.seq}` : `out of order: seq ${g.seq} after ${g.afterSeq}`]));
  if (gaps.length > 0) section(out, 'Chain breaks', ['chain', 'where', 'what'], gaps);
  if (input.badLines > 0) {
    section(out, 'Bad lines (skipped)', ['reason', 'lines'], counts(input.badByReason));
    section(out, 'Bad lines, first examples', ['where', 'reason'], input.badSamples.map((b) => [`${b.file}:${b.line}`, b.reason]));
  }
  return `${out.join('\n')}\n`;
}

function counts(rows: readonly Count[]): string[][] {
  return rows.map((r) => [r.key, formatCount(r.count)]);
}

function section(out: string[], title: string, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  out.push('', title.toUpperCase());
  if (rows.length === 0) {
    out.push('(none)');
    return;
  }
  out.push(...formatColumns(headers, rows));
}

/** Left-aligned columns; numbers (cells starting with a digit, after the first column) aligned right. */
export function formatColumns(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const clean = [headers, ...rows].map((row) => headers.map((_, i) => sanitise(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...clean.map((row) => [...row[i]!].length)));
  const numeric = headers.map((_, i) => i > 0 && rows.length > 0 && rows.every((row) => /^[\d,.]+( [KMGTP]?i?B)?$/.test(row[i] ?? '')));
  return clean.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - [...cell].length);
        return numeric[i] ? pad + cell : i === row.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

function sanitise(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
