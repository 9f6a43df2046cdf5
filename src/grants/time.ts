/**
 * Instants in the grants workflow: epoch milliseconds in code (what decide()
 * compares with `now`), ISO-8601 UTC with milliseconds in the store (the
 * format every table uses, which sorts as text in time order), and the dates
 * people type on the command line.
 */
import { WfError } from '../errors.ts';

export const DAY_MS = 86_400_000;

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toIsoOrNull(ms: number | null): string | null {
  return ms === null ? null : toIso(ms);
}

/** Reads a stored timestamp; a row that does not hold one is a damaged store, not bad input. */
export function fromIso(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new WfError('WF_ERR_STORE', `the store holds an unreadable timestamp "${text}"`);
  return ms;
}

export function fromIsoOrNull(text: string | null): number | null {
  return text === null ? null : fromIso(text);
}

const DATE_ONLY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A time must say which zone it is in (Z or ±hh:mm): a guessed local zone would move an expiry by hours. */
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A date or instant typed by a person, for `what` (the option, for messages).
 * `YYYY-MM-DD` is a whole UTC day: with `endOfDay` the instant just after it
 * (so `--expires 2026-12-31` runs through the 31st and `--to` includes it),
 * otherwise its first instant. A date-time needs a zone: `2026-12-31T17:00Z`
 * or `2026-12-31T17:00:00+01:00`.
 */
export function parseDateInput(text: string, what: string, options: { endOfDay?: boolean } = {}): number {
  const trimmed = text.trim();
  const day = DATE_ONLY_RE.exec(trimmed);
  if (day !== null) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const start = Date.UTC(y, m - 1, d);
    // Date.UTC rolls 2026-02-30 over into March; a typo should not silently become another day.
    if (new Date(start).getUTCDate() !== d || new Date(start).getUTCMonth() !== m - 1) throw badDate(text, what);
    return options.endOfDay === true ? start + DAY_MS : start;
  }
  if (DATE_TIME_RE.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms)) return ms;
  }
  throw badDate(text, what);
}

function badDate(text: string, what: string): WfError {
  return new WfError(
    'WF_ERR_INVALID_INPUT',
    `${what} "${text}" is not a date: use YYYY-MM-DD (a whole day, UTC) or a time with its zone, like 2026-12-31T17:00Z`,
  );
}
