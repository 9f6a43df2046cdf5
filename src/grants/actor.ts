/**
 * Actors: who did something, as the audit trail and `grants.requested_by`
 * record it. One short string, readable in a table and greppable:
 *
 *   member:<id>   a member, identified by the proxy (their own request)
 *   staff:<id>    a staff account (gsm, admin, auditor)
 *   cli:<user>    an operator at the command line with no named staff
 *                 account (the operating-system user, for the record)
 *   system        wardgate itself (e.g. marking grants expired)
 *
 * A string rather than an object so it can be stored, filtered and shown
 * without a join, and so the audit trail still reads correctly after the
 * account it names is gone.
 */
import { userInfo } from 'node:os';
import { WfError } from '../errors.ts';

export type ActorKind = 'member' | 'staff' | 'cli' | 'system';

export interface ParsedActor {
  readonly kind: ActorKind;
  /** The member, staff or OS user id; '' for `system`. */
  readonly id: string;
}

export const SYSTEM_ACTOR = 'system';

const ACTOR_RE = /^(member|staff|cli):([a-z0-9][a-z0-9._@-]{0,63})$/i;

export function memberActor(id: string): string {
  return `member:${id}`;
}

export function staffActor(id: string): string {
  return `staff:${id}`;
}

/**
 * The actor for a command-line operator: `cli:<OS user>`. The user name only
 * labels the record (whoever can run the CLI can write the database anyway),
 * so an unusual name is reduced to safe characters rather than refused.
 */
export function cliActor(username: string): string {
  const safe = username.replace(/[^a-zA-Z0-9._@-]/g, '_').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 64);
  return `cli:${safe.length === 0 ? 'operator' : safe}`;
}

/**
 * The command-line operator as an actor: `cli:<user>` from the environment
 * the command was given (USER, LOGNAME), else the OS account.
 */
export function operatorActor(env: NodeJS.ProcessEnv): string {
  let name = env.USER ?? env.LOGNAME;
  if (name === undefined) {
    try {
      name = userInfo().username;
    } catch {
      // No passwd entry (some containers): the label falls back to "operator".
    }
  }
  return cliActor(name ?? '');
}

/** Parses and validates an actor string; WF_ERR_INVALID_INPUT when it is not one. */
export function parseActor(text: string): ParsedActor {
  if (text === SYSTEM_ACTOR) return { kind: 'system', id: '' };
  const match = typeof text === 'string' ? ACTOR_RE.exec(text) : null;
  if (match === null) {
    throw new WfError(
      'WF_ERR_INVALID_INPUT',
      `"${String(text)}" is not an actor: use member:ID, staff:ID, cli:USER or system`,
    );
  }
  return { kind: match[1]!.toLowerCase() as ActorKind, id: match[2]! };
}
