/**
 * One decision-log line → a typed value the report counts, or the reason it
 * cannot be used. Pure. Validates only the fields the report reads and
 * ignores the rest (docs/decision-log.md: readers ignore unknown fields).
 *
 * Also the cheap field scans the reader uses before paying for JSON.parse:
 * pino writes `{"level":"info","time":<ms>,…` and the chain appends
 * `,"seq":<n>,"prev":…,"hash":…}`, so `time` and `seq` can be read by
 * position. A quoted key cannot match inside a JSON string value, where its
 * quotes would be escaped.
 */
export type LineDecision = 'allow' | 'block' | 'allow-by-grant' | 'refuse';

export interface DecisionLine {
  readonly kind: 'decision';
  readonly time: number;
  readonly decision: LineDecision;
  readonly member: string | null;
  readonly group: string | null;
  readonly host: string;
  readonly categories: readonly string[];
  readonly grants: readonly string[];
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface StaffLine {
  readonly kind: 'staff';
  readonly time: number;
  readonly action: string;
  readonly actor: string;
  readonly grant: string;
  readonly member: string;
  readonly group: string | null;
  readonly scope: string;
  readonly before: string | null;
  readonly after: string;
}

/** A line the report does not count but that is legitimate: a file header, a `lost` note (with its count), `text`. */
export interface OtherLine {
  readonly kind: 'other';
  readonly type: string;
  readonly lost: number;
}

export interface BadLine {
  readonly kind: 'bad';
  readonly reason: string;
}

export type ParsedLine = DecisionLine | StaffLine | OtherLine | BadLine;

const DECISIONS = new Set<string>(['allow', 'block', 'allow-by-grant', 'refuse']);
const KNOWN_OTHER = new Set(['file', 'lost']);

export function parseLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('not a JSON object');
  const o = value as Record<string, unknown>;
  // Text given to the log is wrapped without a version or time (src/log/chain.ts).
  if (o.type === 'text') return { kind: 'other', type: 'text', lost: 0 };
  if (o.v !== 1) return bad(o.v === undefined ? 'no schema version (v)' : `unsupported schema version ${JSON.stringify(o.v)}`);
  const time = o.time;
  if (typeof time !== 'number' || !Number.isFinite(time)) return bad('no numeric time');
  if (o.type === undefined) return decisionLine(o, time);
  if (o.type === 'staff') return staffLine(o, time);
  if (typeof o.type === 'string' && KNOWN_OTHER.has(o.type)) {
    return { kind: 'other', type: o.type, lost: o.type === 'lost' && isCount(o.count) ? o.count : 0 };
  }
  return bad(`unknown line type ${JSON.stringify(o.type)}`);
}

function decisionLine(o: Record<string, unknown>, time: number): DecisionLine | BadLine {
  if (typeof o.decision !== 'string' || !DECISIONS.has(o.decision)) return bad('decision missing or unknown');
  if (!isNullableString(o.member) || !isNullableString(o.group)) return bad('member or group is not a string');
  if (typeof o.host !== 'string') return bad('host missing');
  if (!isStringArray(o.categories) || !isStringArray(o.grants)) return bad('categories or grants is not a list of strings');
  if (!isCount(o.bytesIn) || !isCount(o.bytesOut)) return bad('bytesIn or bytesOut is not a byte count');
  return {
    kind: 'decision',
    time,
    decision: o.decision as LineDecision,
    member: o.member,
    group: o.group,
    host: o.host,
    categories: o.categories,
    grants: o.grants,
    bytesIn: o.bytesIn,
    bytesOut: o.bytesOut,
  };
}

function staffLine(o: Record<string, unknown>, time: number): StaffLine | BadLine {
  const { action, actor, grant, member, scope, after } = o;
  if (typeof action !== 'string' || typeof actor !== 'string' || typeof grant !== 'string' || typeof member !== 'string') {
    return bad('staff line without action, actor, grant or member');
  }
  if (typeof scope !== 'string' || typeof after !== 'string' || !isNullableString(o.group) || !isNullableString(o.before)) {
    return bad('staff line without scope or status');
  }
  return { kind: 'staff', time, action, actor, grant, member, group: o.group, scope, before: o.before, after };
}

function bad(reason: string): BadLine {
  return { kind: 'bad', reason };
}

function isNullableString(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

const TIME_KEY = '"time":';
const SEQ_KEY = ',"seq":';
const PINO_START = '{"level":';

/** True for a line in pino's compact layout, where the position-based scans below are valid. */
export function isPinoLine(text: string): boolean {
  return text.startsWith(PINO_START);
}

/** `time` of a pino line, or NaN. Looks only near the start, where pino writes it. */
export function scanTime(text: string): number {
  const at = text.indexOf(TIME_KEY);
  if (at === -1 || at > 32) return Number.NaN;
  return scanInteger(text, at + TIME_KEY.length);
}

/** `seq` of a sealed line, or NaN when the line carries none. */
export function scanSeq(text: string): number {
  const at = text.lastIndexOf(SEQ_KEY);
  if (at === -1) return Number.NaN;
  return scanInteger(text, at + SEQ_KEY.length);
}

function scanInteger(text: string, from: number): number {
  let value = 0;
  let i = from;
  for (; i < text.length; i += 1) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
  }
  return i === from || i - from > 16 ? Number.NaN : value;
}
