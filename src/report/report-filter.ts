/**
 * What a report covers: a time range and the member, group, category and
 * decision filters, parsed from the command line (or the admin UI's form)
 * into one immutable value. Pure: no I/O, no clock.
 *
 * Dates: `YYYY-MM-DD` is a whole UTC day (`--from` its start, `--to` its end,
 * so `--from 2026-11-01 --to 2026-11-30` is all of November), or an ISO
 * instant with a zone (`2026-11-23T14:00:00Z`, `…+01:00`), taken exactly.
 * Times are UTC because the decision log's `time` and file names are.
 */
import { WfError } from '../errors.ts';

export const REPORT_DECISIONS = ['allow', 'block', 'allow-by-grant', 'refuse'] as const;
export type ReportDecision = (typeof REPORT_DECISIONS)[number];

export interface ReportFilter {
  /** Inclusive lower bound, epoch ms; null = from the first line. */
  readonly fromMs: number | null;
  /** Exclusive upper bound, epoch ms; null = to the last line. */
  readonly toMs: number | null;
  /** Empty = every member (likewise for the others). */
  readonly members: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
  readonly categories: ReadonlySet<string>;
  readonly decisions: ReadonlySet<ReportDecision>;
}

export interface ReportFilterInput {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly members?: readonly string[] | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly categories?: readonly string[] | undefined;
  readonly decisions?: readonly string[] | undefined;
}

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const ID = /^[a-z0-9._-]{1,64}$/;

/** The report over everything. */
export const NO_FILTER: ReportFilter = Object.freeze({
  fromMs: null,
  toMs: null,
  members: new Set<string>(),
  groups: new Set<string>(),
  categories: new Set<string>(),
  decisions: new Set<ReportDecision>(),
});

/**
 * Parses a report date. `bound` says which end a bare day is: `from` → its
 * first millisecond, `to` → the first millisecond of the next day (exclusive).
 */
export function parseReportDate(text: string, bound: 'from' | 'to', flag = `--${bound}`): number {
  const day = DAY.exec(text);
  if (day !== null) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const ms = Date.UTC(y, m - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
      throw new WfError('WF_ERR_USAGE', `${flag} "${text}" is not a calendar date`);
    }
    return bound === 'from' ? ms : ms + DAY_MS;
  }
  if (INSTANT.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new WfError('WF_ERR_USAGE', `${flag} "${text}" is not a date: use YYYY-MM-DD (a UTC day) or an ISO time with a zone, e.g. 2026-11-23T14:00:00Z`);
}

export function buildReportFilter(input: ReportFilterInput): ReportFilter {
  const fromMs = input.from === undefined ? null : parseReportDate(input.from, 'from');
  const toMs = input.to === undefined ? null : parseReportDate(input.to, 'to');
  if (fromMs !== null && toMs !== null && fromMs >= toMs) {
    throw new WfError('WF_ERR_USAGE', `--from ${input.from} is not before --to ${input.to}`);
  }
  const decisions = splitValues(input.decisions).map((d) => {
    if (!(REPORT_DECISIONS as readonly string[]).includes(d)) {
      throw new WfError('WF_ERR_USAGE', `--decision "${d}" is not one of ${REPORT_DECISIONS.join(', ')}`);
    }
    return d as ReportDecision;
  });
  return Object.freeze({
    fromMs,
    toMs,
    members: idSet(input.members, '--member'),
    groups: idSet(input.groups, '--group'),
    categories: idSet(input.categories, '--category'),
    decisions: new Set(decisions),
  });
}

/** True when `ms` is inside the filter's time range. */
export function inTimeRange(filter: ReportFilter, ms: number): boolean {
  return (filter.fromMs === null || ms >= filter.fromMs) && (filter.toMs === null || ms < filter.toMs);
}

/** Repeated flags and comma-separated values alike: `--decision block,allow-by-grant`. */
function splitValues(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function idSet(values: readonly string[] | undefined, flag: string): ReadonlySet<string> {
  const ids = splitValues(values);
  for (const id of ids) {
    if (!ID.test(id)) throw new WfError('WF_ERR_USAGE', `${flag} "${id}" is not an id (lower-case letters, digits, ".", "_", "-")`);
  }
  return new Set(ids);
}

/** The filter as plain data, for the report's header and the JSON output. */
export function describeFilter(filter: ReportFilter): ReportFilterSummary {
  return {
    from: filter.fromMs === null ? null : new Date(filter.fromMs).toISOString(),
    to: filter.toMs === null ? null : new Date(filter.toMs).toISOString(),
    members: [...filter.members].sort(),
    groups: [...filter.groups].sort(),
    categories: [...filter.categories].sort(),
    decisions: [...filter.decisions].sort(),
  };
}

export interface ReportFilterSummary {
  /** ISO instant, inclusive. */
  readonly from: string | null;
  /** ISO instant, exclusive. */
  readonly to: string | null;
  readonly members: readonly string[];
  readonly groups: readonly string[];
  readonly categories: readonly string[];
  readonly decisions: readonly string[];
}
