/**
 * Decision and staff lines → the report's counters. Pure and synchronous: it
 * is fed lines that already matched the filter, and knows nothing of files.
 *
 * Memory is bounded by what the council has, not by the log's length: maps
 * keyed by member, group, category, grant and UTC day (a year is 366 keys),
 * blocked hosts through HeavyHitters (bounded), staff rows up to a cap.
 */
import { HeavyHitters, type HeavyHittersState } from './heavy-hitters.ts';
import type { DecisionLine, StaffLine } from './parse-line.ts';
import type { BlockCounts, Count, GrantUse, ReportSummary, StaffActionRow, TopDomains, Volume } from './report-model.ts';

export interface AggregateOptions {
  /** Rows in "top blocked domains" (default 20). */
  readonly top?: number;
  /** Hosts HeavyHitters keeps after dropping the rarest (default 50,000); it holds up to twice this many exactly. */
  readonly domainCapacity?: number;
  /** Staff action rows kept (default 10,000); the rest are counted. */
  readonly maxStaffRows?: number;
}

interface MutableVolume {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

interface GrantCounter extends MutableVolume {
  readonly grant: string;
  readonly member: string;
  readonly group: string | null;
}

/** Everything a ReportAggregator counted, as structured-clonable data (to send from a worker thread). */
export interface AggregatorState {
  readonly decisions: { allow: number; block: number; 'allow-by-grant': number; refuse: number };
  readonly members: Set<string>;
  readonly first: number;
  readonly last: number;
  readonly blocksByMember: Map<string, number>;
  readonly blocksByGroup: Map<string, number>;
  readonly blocksByCategory: Map<string, number>;
  readonly blocksByDay: Map<string, number>;
  readonly blocksByCategoryDay: Map<string, Map<string, number>>;
  readonly domains: HeavyHittersState;
  readonly grantUses: Map<string, GrantCounter>;
  readonly grantScopes: Map<string, string>;
  readonly allowed: MutableVolume;
  readonly allowedByMember: Map<string, MutableVolume>;
  readonly allowedByDay: Map<string, MutableVolume>;
  readonly staffByAction: Map<string, number>;
  readonly staffRows: StaffActionRow[];
  readonly staffCount: number;
}

const DAY_MS = 86_400_000;
/** Blocks with no category (internal fault, refused port) are shown under this name. */
export const NO_CATEGORY = '(none)';

export class ReportAggregator {
  readonly #top: number;
  readonly #maxStaffRows: number;
  readonly #decisions = { allow: 0, block: 0, 'allow-by-grant': 0, refuse: 0 };
  readonly #members = new Set<string>();
  #first = Number.POSITIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;
  readonly #blocksByMember = new Map<string, number>();
  readonly #blocksByGroup = new Map<string, number>();
  readonly #blocksByCategory = new Map<string, number>();
  readonly #blocksByDay = new Map<string, number>();
  readonly #blocksByCategoryDay = new Map<string, Map<string, number>>();
  readonly #domains: HeavyHitters;
  readonly #grantUses = new Map<string, GrantCounter>();
  /** Every grant's scope seen in any staff line, whatever the filter: a grant used in range may have been approved before it. */
  readonly #grantScopes = new Map<string, string>();
  readonly #allowed: MutableVolume = { requests: 0, bytesIn: 0, bytesOut: 0 };
  readonly #allowedByMember = new Map<string, MutableVolume>();
  readonly #allowedByDay = new Map<string, MutableVolume>();
  readonly #staffByAction = new Map<string, number>();
  readonly #staffRows: StaffActionRow[] = [];
  #staffCount = 0;
  // One decision line after another mostly falls on the same day: keep its key.
  #dayNumber = Number.NaN;
  #dayKey = '';

  constructor(options: AggregateOptions = {}) {
    this.#top = options.top ?? 20;
    this.#maxStaffRows = options.maxStaffRows ?? 10_000;
    this.#domains = new HeavyHitters(options.domainCapacity ?? 50_000, detach);
  }

  addDecision(line: DecisionLine): void {
    this.#decisions[line.decision] += 1;
    this.#seen(line.time);
    if (line.member !== null && !this.#members.has(line.member)) this.#members.add(detach(line.member));
    if (line.decision === 'block') this.#addBlock(line);
    else if (line.decision === 'allow' || line.decision === 'allow-by-grant') this.#addAllowed(line);
  }

  /** Notes a grant's scope from any staff line (matching the filter or not). */
  noteGrantScope(line: StaffLine): void {
    this.#grantScopes.set(line.grant, line.scope);
  }

  addStaff(line: StaffLine): void {
    this.#seen(line.time);
    this.#staffCount += 1;
    increment(this.#staffByAction, line.action);
    if (this.#staffRows.length < this.#maxStaffRows) {
      const { time, action, actor, grant, member, group, scope, before, after } = line;
      this.#staffRows.push({ time: new Date(time).toISOString(), action, actor, grant, member, group, scope, before, after });
    }
  }

  #seen(time: number): void {
    if (time < this.#first) this.#first = time;
    if (time > this.#last) this.#last = time;
  }

  #addBlock(line: DecisionLine): void {
    const day = this.#day(line.time);
    increment(this.#blocksByMember, line.member ?? '(unidentified)');
    increment(this.#blocksByGroup, line.group ?? '(no group)');
    increment(this.#blocksByDay, day);
    const categories = line.categories.length === 0 ? [NO_CATEGORY] : line.categories;
    for (const category of categories) {
      increment(this.#blocksByCategory, category);
      let days = this.#blocksByCategoryDay.get(category);
      if (days === undefined) this.#blocksByCategoryDay.set(detach(category), (days = new Map()));
      increment(days, day);
    }
    if (line.host !== '') this.#domains.add(line.host);
  }

  #addAllowed(line: DecisionLine): void {
    addVolume(this.#allowed, line);
    addVolume(getVolume(this.#allowedByMember, line.member ?? '(unidentified)'), line);
    addVolume(getVolume(this.#allowedByDay, this.#day(line.time)), line);
    if (line.decision !== 'allow-by-grant' || line.member === null) return;
    for (const grant of line.grants) {
      const key = `${grant}\u0000${line.member}`;
      let use = this.#grantUses.get(key);
      if (use === undefined) {
        use = { grant: detach(grant), member: detach(line.member), group: line.group === null ? null : detach(line.group), requests: 0, bytesIn: 0, bytesOut: 0 };
        this.#grantUses.set(key, use);
      }
      addVolume(use, line);
    }
  }

  #day(time: number): string {
    const n = Math.floor(time / DAY_MS);
    if (n !== this.#dayNumber) {
      this.#dayNumber = n;
      this.#dayKey = new Date(n * DAY_MS).toISOString().slice(0, 10);
    }
    return this.#dayKey;
  }

  state(): AggregatorState {
    return {
      decisions: this.#decisions,
      members: this.#members,
      first: this.#first,
      last: this.#last,
      blocksByMember: this.#blocksByMember,
      blocksByGroup: this.#blocksByGroup,
      blocksByCategory: this.#blocksByCategory,
      blocksByDay: this.#blocksByDay,
      blocksByCategoryDay: this.#blocksByCategoryDay,
      domains: this.#domains.state(),
      grantUses: this.#grantUses,
      grantScopes: this.#grantScopes,
      allowed: this.#allowed,
      allowedByMember: this.#allowedByMember,
      allowedByDay: this.#allowedByDay,
      staffByAction: this.#staffByAction,
      staffRows: this.#staffRows,
      staffCount: this.#staffCount,
    };
  }

  /** Adds what another aggregator counted over other lines (read after ours). */
  absorb(other: AggregatorState): void {
    for (const key of ['allow', 'block', 'allow-by-grant', 'refuse'] as const) this.#decisions[key] += other.decisions[key];
    for (const member of other.members) this.#members.add(member);
    this.#first = Math.min(this.#first, other.first);
    this.#last = Math.max(this.#last, other.last);
    addCounts(this.#blocksByMember, other.blocksByMember);
    addCounts(this.#blocksByGroup, other.blocksByGroup);
    addCounts(this.#blocksByCategory, other.blocksByCategory);
    addCounts(this.#blocksByDay, other.blocksByDay);
    for (const [category, days] of other.blocksByCategoryDay) {
      const mine = this.#blocksByCategoryDay.get(category);
      if (mine === undefined) this.#blocksByCategoryDay.set(category, days);
      else addCounts(mine, days);
    }
    this.#domains.absorb(other.domains);
    for (const [key, use] of other.grantUses) {
      const mine = this.#grantUses.get(key);
      if (mine === undefined) this.#grantUses.set(key, use);
      else sumVolume(mine, use);
    }
    for (const [grant, scope] of other.grantScopes) this.#grantScopes.set(grant, scope);
    sumVolume(this.#allowed, other.allowed);
    for (const [member, v] of other.allowedByMember) sumVolume(getVolume(this.#allowedByMember, member), v);
    for (const [day, v] of other.allowedByDay) sumVolume(getVolume(this.#allowedByDay, day), v);
    addCounts(this.#staffByAction, other.staffByAction);
    for (const row of other.staffRows) if (this.#staffRows.length < this.#maxStaffRows) this.#staffRows.push(row);
    this.#staffCount += other.staffCount;
  }

  summary(): ReportSummary {
    const d = this.#decisions;
    const any = this.#first !== Number.POSITIVE_INFINITY;
    return {
      decisions: d.allow + d.block + d['allow-by-grant'] + d.refuse,
      allow: d.allow,
      block: d.block,
      allowByGrant: d['allow-by-grant'],
      refuse: d.refuse,
      staffActions: this.#staffCount,
      members: this.#members.size,
      firstTime: any ? new Date(this.#first).toISOString() : null,
      lastTime: any ? new Date(this.#last).toISOString() : null,
    };
  }

  blocks(): BlockCounts {
    const byCategoryDay = [...this.#blocksByCategoryDay]
      .flatMap(([category, days]) => [...days].map(([day, count]) => ({ category, day, count })))
      .sort((a, b) => compareText(a.category, b.category) || compareText(a.day, b.day));
    return {
      byMember: byCount(this.#blocksByMember),
      byGroup: byCount(this.#blocksByGroup),
      byCategory: byCount(this.#blocksByCategory),
      byDay: byKey(this.#blocksByDay),
      byCategoryDay,
    };
  }

  topBlockedDomains(): TopDomains {
    return {
      rows: this.#domains.top(this.#top).map((h) => ({ domain: h.key, count: h.count, overcount: h.overcount })),
      exact: this.#domains.exact,
    };
  }

  grantsUsed(): GrantUse[] {
    return [...this.#grantUses.values()]
      .map((u): GrantUse => ({
        grant: u.grant,
        member: u.member,
        group: u.group,
        scope: this.#grantScopes.get(u.grant) ?? null,
        count: u.requests,
        bytesIn: u.bytesIn,
        bytesOut: u.bytesOut,
      }))
      .sort((a, b) => b.count - a.count || compareText(a.grant, b.grant) || compareText(a.member, b.member));
  }

  allowedTraffic(): Volume & { byMember: (Volume & { member: string })[]; byDay: (Volume & { day: string })[] } {
    return {
      ...this.#allowed,
      byMember: [...this.#allowedByMember]
        .map(([member, v]) => ({ member, ...v }))
        .sort((a, b) => b.requests - a.requests || compareText(a.member, b.member)),
      byDay: [...this.#allowedByDay].map(([day, v]) => ({ day, ...v })).sort((a, b) => compareText(a.day, b.day)),
    };
  }

  staffActions(): { byAction: Count[]; rows: StaffActionRow[]; omitted: number } {
    const rows = [...this.#staffRows].sort((a, b) => compareText(a.time, b.time));
    return { byAction: byCount(this.#staffByAction), rows, omitted: this.#staffCount - rows.length };
  }
}

function increment(map: Map<string, number>, key: string): void {
  const count = map.get(key);
  if (count === undefined) map.set(detach(key), 1);
  else map.set(key, count + 1);
}

function getVolume(map: Map<string, MutableVolume>, key: string): MutableVolume {
  let v = map.get(key);
  if (v === undefined) map.set(detach(key), (v = { requests: 0, bytesIn: 0, bytesOut: 0 }));
  return v;
}

/**
 * A copy of `text` that shares no memory with the line it was cut from.
 * Values read by position are slices of the line, which is a slice of a
 * whole 1 MiB chunk: a key kept in a map would keep that chunk alive.
 * Called only when a key is first stored, so rarely.
 */
export function detach(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function addVolume(v: MutableVolume, line: DecisionLine): void {
  v.requests += 1;
  v.bytesIn += line.bytesIn;
  v.bytesOut += line.bytesOut;
}

function addCounts(into: Map<string, number>, from: ReadonlyMap<string, number>): void {
  for (const [key, count] of from) into.set(key, (into.get(key) ?? 0) + count);
}

function sumVolume(into: MutableVolume, from: MutableVolume): void {
  into.requests += from.requests;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
}

function byCount(map: Map<string, number>): Count[] {
  return [...map].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || compareText(a.key, b.key));
}

function byKey(map: Map<string, number>): Count[] {
  return [...map].map(([key, count]) => ({ key, count })).sort((a, b) => compareText(a.key, b.key));
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
