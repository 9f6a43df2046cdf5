/** Number, byte and filter text shared by the table and HTML renderers. Pure. */
import type { Report } from './report-model.ts';

const INTEGER = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return INTEGER.format(n);
}

/** 1536 → "1.5 KiB"; under 1 KiB exact bytes. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${INTEGER.format(n)} B` : `${ONE_DECIMAL.format(value)} ${UNITS[unit]}`;
}

/** One line saying what the report covers: range and filters. */
export function describeScope(report: Report): string {
  const f = report.filter;
  const range = f.from === null && f.to === null ? 'all dates' : `from ${f.from ?? 'the start'} to ${f.to ?? 'the end'} (end exclusive)`;
  const parts = [range];
  if (f.members.length > 0) parts.push(`member ${f.members.join(', ')}`);
  if (f.groups.length > 0) parts.push(`group ${f.groups.join(', ')}`);
  if (f.categories.length > 0) parts.push(`category ${f.categories.join(', ')}`);
  if (f.decisions.length > 0) parts.push(`decision ${f.decisions.join(', ')}`);
  return parts.join('; ');
}

/** One line per chain: is it consecutive, and if not, how. */
export function describeChain(chain: Report['chains'][number]): string {
  const seqs = chain.firstSeq === null ? 'no sealed lines' : `seq ${chain.firstSeq}–${chain.lastSeq}`;
  const problems: string[] = [];
  const gaps = chain.gaps.filter((g) => g.missing > 0).length;
  const disorder = chain.gaps.length - gaps;
  if (chain.missingLines > 0) problems.push(`${formatCount(chain.missingLines)} line${chain.missingLines === 1 ? '' : 's'} missing in ${gaps} gap${gaps === 1 ? '' : 's'}`);
  if (disorder > 0) problems.push(`${disorder} line${disorder === 1 ? '' : 's'} out of order`);
  if (chain.gapsOmitted > 0) problems.push(`${formatCount(chain.gapsOmitted)} more breaks not listed`);
  if (chain.unsealedLines > 0) problems.push(`${formatCount(chain.unsealedLines)} unsealed line${chain.unsealedLines === 1 ? '' : 's'}`);
  if (chain.lostLines > 0) problems.push(`${formatCount(chain.lostLines)} line${chain.lostLines === 1 ? '' : 's'} dropped by the writer (disk refused writes)`);
  const start = chain.firstSeq !== null && chain.firstSeq > 1 ? ` (starts at seq ${chain.firstSeq}: earlier files not read or removed under retention)` : '';
  const verdict = chain.complete ? 'consecutive, nothing missing' : `NOT complete: ${problems.join('; ')}`;
  return `${seqs}, ${formatCount(chain.sealedLines)} sealed lines in ${chain.files} file${chain.files === 1 ? '' : 's'}: ${verdict}${start}`;
}
