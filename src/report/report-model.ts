/**
 * The report as data: what every renderer (table, CSV, JSON, HTML) and the
 * admin UI show. Produced by ReportCollector.finish(); plain JSON-safe values
 * only (the JSON format is this object as it is), sorted for stable output.
 */
import type { StaffLine } from './parse-line.ts';
import type { ReportFilterSummary } from './report-filter.ts';

export const REPORT_VERSION = 1;

export interface Count {
  readonly key: string;
  readonly count: number;
}

export interface Volume {
  readonly requests: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface ReportSummary {
  /** Decision lines that matched the filter. */
  readonly decisions: number;
  readonly allow: number;
  readonly block: number;
  readonly allowByGrant: number;
  readonly refuse: number;
  /** Staff lines (grant changes) that matched. */
  readonly staffActions: number;
  /** Distinct members among the matching decisions. */
  readonly members: number;
  /** First and last matching line's time (ISO), null when none matched. */
  readonly firstTime: string | null;
  readonly lastTime: string | null;
}

export interface BlockCounts {
  readonly byMember: readonly Count[];
  readonly byGroup: readonly Count[];
  /** A request blocked under two categories counts once in each; `(none)` = blocked with no category (an internal fault, a refused port). */
  readonly byCategory: readonly Count[];
  readonly byDay: readonly Count[];
  readonly byCategoryDay: readonly { readonly category: string; readonly day: string; readonly count: number }[];
}

export interface TopDomains {
  readonly rows: readonly { readonly domain: string; readonly count: number; readonly overcount: number }[];
  /** False when more distinct hosts were blocked than could be counted exactly: counts are then upper bounds (see overcount). */
  readonly exact: boolean;
}

export interface GrantUse {
  readonly grant: string;
  readonly member: string;
  readonly group: string | null;
  /** From the grant's staff lines in the logs read; null when none was read. */
  readonly scope: string | null;
  readonly count: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** A staff line of the logs as the report shows it: its time as an ISO string. */
export type StaffActionRow = Omit<StaffLine, 'kind' | 'time'> & { readonly time: string };

export interface ChainGap {
  readonly file: string;
  readonly line: number;
  readonly afterSeq: number;
  readonly seq: number;
  /** Lines missing (gap) — 0 for a line out of order (seq not after the one before). */
  readonly missing: number;
}

export interface ChainReport {
  readonly chain: string;
  readonly files: number;
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  readonly sealedLines: number;
  /** Lines with no seq (written with the chain off, or inserted by hand). */
  readonly unsealedLines: number;
  readonly gaps: readonly ChainGap[];
  /** Gaps and disorders beyond those listed. */
  readonly gapsOmitted: number;
  /** Lines missing in total (sum of gap sizes, including unlisted ones). */
  readonly missingLines: number;
  /** Lines the writer reported dropped (`type: "lost"`). */
  readonly lostLines: number;
  /** Consecutive from its first line, nothing lost. */
  readonly complete: boolean;
}

export interface BadLineSample {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface ReportInput {
  readonly files: readonly string[];
  /** Files left unread because their name dates them outside --from/--to. */
  readonly filesSkipped: number;
  readonly linesRead: number;
  readonly badLines: number;
  readonly badByReason: readonly Count[];
  readonly badSamples: readonly BadLineSample[];
}

export interface Report {
  readonly v: typeof REPORT_VERSION;
  readonly generatedAt: string;
  readonly filter: ReportFilterSummary;
  readonly input: ReportInput;
  readonly summary: ReportSummary;
  readonly blocks: BlockCounts;
  readonly topBlockedDomains: TopDomains;
  readonly grantsUsed: readonly GrantUse[];
  readonly allowedTraffic: Volume & { readonly byMember: readonly (Volume & { readonly member: string })[]; readonly byDay: readonly (Volume & { readonly day: string })[] };
  readonly staffActions: { readonly byAction: readonly Count[]; readonly rows: readonly StaffActionRow[]; readonly omitted: number };
  readonly chains: readonly ChainReport[];
}
