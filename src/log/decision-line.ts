/**
 * A DecisionRecord as its decision log line, written by hand rather than by
 * pino: the proxy writes one per request, and this is its hot path.
 *
 * The line is the one pino writes for `decisionLog.info(record)` (labelled
 * level, then `time`, then the record's members in DecisionRecord order,
 * `\n`-terminated), byte for byte; test/log/decision-line.test.ts compares
 * the two over generated records. The one difference: a lone surrogate in a
 * string is escaped (`\udc00`), as JSON.stringify does, where pino wrote the
 * raw code unit (which UTF-8 then turns into U+FFFD).
 *
 * Why (measured, bench/README.md "The decision log's cost"): pino's generic
 * path (its per-call work, the privacy formatter's copy of the record,
 * serialising by walking the object's keys) cost 2.5–2.7 µs a line with the
 * default privacy; this 1.0 µs.
 */
import type { PrivacyMode } from '../config/config.ts';
import type { DecisionRecord } from './decision-record.ts';
import { reduceUrl } from './privacy.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const FIRST_PRINTABLE = 0x20;
const FIRST_SURROGATE = 0xd800;
const LAST_SURROGATE = 0xdfff;

/** JSON.stringify(text), without the call for the usual text that needs no escaping. */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < FIRST_PRINTABLE || c === QUOTE || c === BACKSLASH || (c >= FIRST_SURROGATE && c <= LAST_SURROGATE)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

function jsonStringOrNull(text: string | null | undefined): string {
  return text === null || text === undefined ? 'null' : jsonString(text);
}

/** As JSON writes a number: not finite is null. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

function jsonStrings(list: readonly string[]): string {
  if (list.length === 0) return '[]';
  let out = `[${jsonString(list[0]!)}`;
  for (let i = 1; i < list.length; i++) out += `,${jsonString(list[i]!)}`;
  return `${out}]`;
}

function jsonRule(rule: DecisionRecord['rule']): string {
  if (rule === null) return 'null';
  return `{"list":${jsonString(rule.list)},"kind":${jsonString(rule.kind)},"entry":${jsonString(rule.entry)},"file":${jsonString(rule.file)},"line":${jsonNumber(rule.line)}}`;
}

/** The line for `record` logged at `time` (epoch ms), its target reduced for `privacy`. */
export function decisionLine(record: DecisionRecord, time: number, privacy: PrivacyMode): string {
  const target = privacy === 'full' ? record.target : reduceUrl(record.target, privacy);
  return (
    `{"level":"info","time":${jsonNumber(time)},"v":${jsonNumber(record.v)},"id":${jsonString(record.id)},"kind":${jsonString(record.kind)},` +
    `"member":${jsonStringOrNull(record.member)},"group":${jsonStringOrNull(record.group)},"via":${jsonStringOrNull(record.via)},` +
    `"client":${jsonString(record.client)},"method":${jsonString(record.method)},"target":${jsonString(target)},"host":${jsonString(record.host)},` +
    `"decision":${jsonString(record.decision)},"reason":${jsonString(record.reason)},"categories":${jsonStrings(record.categories)},` +
    `"rule":${jsonRule(record.rule)},"grants":${jsonStrings(record.grants)},"status":${jsonNumber(record.status)},` +
    `"bytesIn":${jsonNumber(record.bytesIn)},"bytesOut":${jsonNumber(record.bytesOut)},"durationMs":${jsonNumber(record.durationMs)},` +
    `"cache":${jsonStringOrNull(record.cache)},"snapshot":${jsonNumber(record.snapshot)},"error":${jsonStringOrNull(record.error)}}\n`
  );
}
