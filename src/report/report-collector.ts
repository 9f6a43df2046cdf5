/**
 * Feeds decision-log lines, one at a time in read order, into the report:
 * chain completeness for every line, then the filter, then the counters.
 * Pure and synchronous (the reader does the I/O), so the admin UI or a test
 * can drive it with any lines.
 *
 * The fast path: a line in pino's layout whose `time` is outside the range,
 * or that cannot contain the member/group/decision asked for, is counted for
 * the chain and never JSON-parsed (parsing is most of a report's cost).
 * Staff lines are always parsed, for grant scopes.
 */
import { ReportAggregator, type AggregateOptions, type AggregatorState } from './aggregate.ts';
import { ChainTracker, type ChainState } from './chain-tracker.ts';
import { isPinoLine, parseLine, scanSeq, scanTime, type DecisionLine, type StaffLine } from './parse-line.ts';
import { describeFilter, inTimeRange, type ReportFilter } from './report-filter.ts';
import { REPORT_VERSION, type BadLineSample, type Report } from './report-model.ts';

const MAX_BAD_SAMPLES = 20;
const STAFF_MARK = '"type":"staff"';
/** `{"level":"info","time":<13 digits>,"v":1,` is 42 characters; leave room for longer times and levels. */
const STAFF_MARK_WITHIN = 64;

export interface LineSource {
  /** The chain the file belongs to (`main`, `w<label>`, `given`). */
  readonly chain: string;
  readonly file: string;
}

/** What a collector gathered, structured-clonable: a worker thread's share, merged with absorb(). */
export interface CollectorState {
  readonly aggregate: AggregatorState;
  readonly chains: ChainState[];
  readonly files: string[];
  readonly lines: number;
  readonly bad: number;
  readonly badByReason: Map<string, number>;
  readonly badSamples: BadLineSample[];
}

export class ReportCollector {
  readonly #filter: ReportFilter;
  readonly #aggregate: ReportAggregator;
  readonly #chains = new ChainTracker();
  readonly #files: string[] = [];
  readonly #badByReason = new Map<string, number>();
  readonly #badSamples: BadLineSample[] = [];
  #filesSkipped = 0;
  #lines = 0;
  #bad = 0;
  // Needles for the pre-filter, in the exact form pino writes them.
  readonly #memberNeedles: string[];
  readonly #groupNeedles: string[];
  readonly #decisionNeedles: string[];
  /** False when nothing is filtered: then every line is parsed anyway. */
  readonly #prefilter: boolean;

  constructor(filter: ReportFilter, options: AggregateOptions = {}) {
    this.#filter = filter;
    this.#aggregate = new ReportAggregator(options);
    this.#memberNeedles = [...filter.members].map((m) => `"member":${JSON.stringify(m)}`);
    this.#groupNeedles = [...filter.groups].map((g) => `"group":${JSON.stringify(g)}`);
    this.#decisionNeedles = [...filter.decisions].map((d) => `"decision":${JSON.stringify(d)}`);
    this.#prefilter = filter.fromMs !== null || filter.toMs !== null || this.#memberNeedles.length + this.#groupNeedles.length + this.#decisionNeedles.length > 0;
  }

  startFile(source: LineSource): void {
    this.#files.push(source.file);
    this.#chains.file(source.chain, source.file);
  }

  skippedFile(): void {
    this.#filesSkipped += 1;
  }

  /** One line; `terminated` false for a last line cut short (no `\n`). */
  line(source: LineSource, text: string, lineNumber: number, terminated: boolean): void {
    this.#lines += 1;
    if (!terminated) {
      this.#chains.line(source.chain, source.file, lineNumber, Number.NaN);
      this.#badLine(source, lineNumber, 'incomplete last line (a write cut short)');
      return;
    }
    this.#chains.line(source.chain, source.file, lineNumber, scanSeq(text));
    if (this.#prefilter && isPinoLine(text) && this.#skipFast(text)) return;
    const parsed = parseLine(text);
    switch (parsed.kind) {
      case 'decision':
        if (this.#matchesDecision(parsed)) this.#aggregate.addDecision(parsed);
        return;
      case 'staff':
        this.#aggregate.noteGrantScope(parsed);
        if (this.#matchesStaff(parsed)) this.#aggregate.addStaff(parsed);
        return;
      case 'other':
        if (parsed.lost > 0) this.#chains.lost(source.chain, source.file, parsed.lost);
        return;
      case 'bad':
        this.#badLine(source, lineNumber, parsed.reason);
        return;
    }
  }

  /** True when the line certainly does not match, judged without parsing it. */
  #skipFast(text: string): boolean {
    // pino writes a record's own fields after level and time, so `type` is near the start.
    if (text.lastIndexOf(STAFF_MARK, STAFF_MARK_WITHIN) !== -1) return false;
    const time = scanTime(text);
    if (Number.isNaN(time)) return false;
    if (!inTimeRange(this.#filter, time)) return true;
    return !(containsAny(text, this.#memberNeedles) && containsAny(text, this.#groupNeedles) && containsAny(text, this.#decisionNeedles));
  }

  #matchesDecision(line: DecisionLine): boolean {
    const f = this.#filter;
    if (!inTimeRange(f, line.time)) return false;
    if (f.members.size > 0 && (line.member === null || !f.members.has(line.member))) return false;
    if (f.groups.size > 0 && (line.group === null || !f.groups.has(line.group))) return false;
    if (f.decisions.size > 0 && !f.decisions.has(line.decision)) return false;
    if (f.categories.size > 0 && !line.categories.some((c) => f.categories.has(c))) return false;
    return true;
  }

  /** Staff lines are filtered by time, member and group; category and decision filters do not apply to them. */
  #matchesStaff(line: StaffLine): boolean {
    const f = this.#filter;
    if (!inTimeRange(f, line.time)) return false;
    if (f.members.size > 0 && !f.members.has(line.member)) return false;
    if (f.groups.size > 0 && (line.group === null || !f.groups.has(line.group))) return false;
    return true;
  }

  #badLine(source: LineSource, lineNumber: number, reason: string): void {
    this.#bad += 1;
    this.#badByReason.set(reason, (this.#badByReason.get(reason) ?? 0) + 1);
    if (this.#badSamples.length < MAX_BAD_SAMPLES) this.#badSamples.push({ file: source.file, line: lineNumber, reason });
  }

  state(): CollectorState {
    return {
      aggregate: this.#aggregate.state(),
      chains: this.#chains.states(),
      files: this.#files,
      lines: this.#lines,
      bad: this.#bad,
      badByReason: this.#badByReason,
      badSamples: this.#badSamples,
    };
  }

  /** Adds what another collector gathered from the lines after ours, as if this one had read them. */
  absorb(other: CollectorState): void {
    this.#aggregate.absorb(other.aggregate);
    this.#chains.absorb(other.chains);
    this.#files.push(...other.files);
    this.#lines += other.lines;
    this.#bad += other.bad;
    for (const [reason, count] of other.badByReason) this.#badByReason.set(reason, (this.#badByReason.get(reason) ?? 0) + count);
    for (const sample of other.badSamples) if (this.#badSamples.length < MAX_BAD_SAMPLES) this.#badSamples.push(sample);
  }

  finish(generatedAt: Date): Report {
    const a = this.#aggregate;
    return {
      v: REPORT_VERSION,
      generatedAt: generatedAt.toISOString(),
      filter: describeFilter(this.#filter),
      input: {
        files: [...this.#files],
        filesSkipped: this.#filesSkipped,
        linesRead: this.#lines,
        badLines: this.#bad,
        badByReason: [...this.#badByReason].map(([key, count]) => ({ key, count })).sort((x, y) => y.count - x.count),
        badSamples: [...this.#badSamples],
      },
      summary: a.summary(),
      blocks: a.blocks(),
      topBlockedDomains: a.topBlockedDomains(),
      grantsUsed: a.grantsUsed(),
      allowedTraffic: a.allowedTraffic(),
      staffActions: a.staffActions(),
      chains: this.#chains.report(),
    };
  }
}

/** An empty needle list matches everything (no filter on that field). */
function containsAny(text: string, needles: readonly string[]): boolean {
  if (needles.length === 0) return true;
  for (const needle of needles) if (text.includes(needle)) return true;
  return false;
}
