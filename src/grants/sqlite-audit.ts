/**
 * The audit trail in SQLite (`audit_events`, migration 2): one writer used by
 * the grant store and the staff store, always inside the caller's
 * transaction so an event exists exactly when its change does, and one
 * reader with filters. The table's triggers refuse UPDATE and DELETE, so not
 * even code here could rewrite history.
 */
import type { Database } from '../store/database.ts';
import { WfError } from '../errors.ts';
import type { AuditAction, AuditEvent, AuditFilter } from './grant-store.ts';
import { fromIso, toIso } from './time.ts';

export interface NewAuditEvent {
  readonly at: number;
  readonly actor: string;
  readonly action: AuditAction;
  readonly subject: string;
  readonly before: unknown;
  readonly after: unknown;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  before: string | null;
  after: string | null;
}

/** Most events one query returns when no limit is given. */
export const DEFAULT_AUDIT_LIMIT = 10_000;

/** Appends one event. Call it inside the transaction that makes the change. */
export function appendAuditEvent(db: Database, event: NewAuditEvent): number {
  if (!db.inTransaction) {
    // A change and its audit event must commit together; outside a transaction they could part.
    throw new WfError('WF_ERR_INTERNAL', 'an audit event must be written in the same transaction as its change');
  }
  const result = db
    .prepare('INSERT INTO audit_events (at, actor, action, subject, before, after) VALUES (?, ?, ?, ?, ?, ?)')
    .run(toIso(event.at), event.actor, event.action, event.subject, toJson(event.before), toJson(event.after));
  return Number(result.lastInsertRowid);
}

function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Events matching `filter`, oldest first; with a limit, the latest `limit` of them (the earliest after `afterId`). */
export function queryAuditEvents(db: Database, filter: AuditFilter = {}): AuditEvent[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number) => {
    where.push(clause);
    params.push(value);
  };
  if (filter.subject !== undefined) add('subject = ?', filter.subject);
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.from !== undefined) add('at >= ?', toIso(filter.from));
  if (filter.to !== undefined) add('at < ?', toIso(filter.to));
  if (filter.afterId !== undefined) add('id > ?', filter.afterId);
  const limit = filter.limit ?? DEFAULT_AUDIT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new WfError('WF_ERR_INVALID_INPUT', `limit must be a positive whole number, got ${String(limit)}`);
  const sql =
    `SELECT * FROM (SELECT id, at, actor, action, subject, before, after FROM audit_events` +
    `${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`} ORDER BY id ${filter.afterId === undefined ? 'DESC' : 'ASC'} LIMIT ?) ORDER BY id`;
  return db
    .prepare<(string | number)[], AuditRow>(sql)
    .all(...params, limit)
    .map((row) =>
      Object.freeze({
        id: row.id,
        at: fromIso(row.at),
        actor: row.actor,
        action: row.action as AuditAction,
        subject: row.subject,
        before: row.before === null ? null : (JSON.parse(row.before) as unknown),
        after: row.after === null ? null : (JSON.parse(row.after) as unknown),
      }),
    );
}
