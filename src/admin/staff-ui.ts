/**
 * Builds the staff web UI and API's dependencies from the configuration and
 * an open store connection (main.ts passes the admin server's own one): the
 * stores, the grant service, sessions, tokens, the sign-in limiter, the TLS
 * certificate, and a timer that purges expired sessions.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { DirectoryStore } from '../directory/directory-store.ts';
import { WfError } from '../errors.ts';
import { ApiTokenStore } from '../grants/api-token-store.ts';
import { grantPolicyFromLists } from '../grants/non-grantable.ts';
import { SqliteGrantStore } from '../grants/sqlite-grant-store.ts';
import { StaffStore } from '../grants/staff-store.ts';
import type { SnapshotHolder } from '../pipeline/runtime-snapshot.ts';
import type { Database } from '../store/database.ts';
import { GrantService } from './grant-service.ts';
import { LoginLimiter } from './login-limiter.ts';
import { SessionStore } from './session-store.ts';
import type { StaffUiDeps } from './staff-auth.ts';

/** Failed sign-ins one client address may make per window before it must wait. */
const LOGIN_FAILURES_PER_ADDRESS = 10;
const LOGIN_WINDOW_MS = 15 * 60_000; // 15 min
const SESSION_PURGE_MS = 10 * 60_000; // 10 min

export interface StaffUiOptions {
  readonly db: Database;
  readonly config: Config;
  /** The running lists, for the non-grantable check on request and approval. */
  readonly snapshots: SnapshotHolder;
  readonly log: Logger;
  readonly now: () => number;
}

export interface StaffUi {
  readonly deps: StaffUiDeps;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | null;
  stop(): void;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new WfError('WF_ERR_CONFIG_INVALID', `adminTls.${what}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function createStaffUi(options: StaffUiOptions): StaffUi {
  const { db, config, snapshots, log, now } = options;
  const { cert, key } = config.adminTls;
  const tls = cert !== null && key !== null ? { cert: readPem(cert, 'cert'), key: readPem(key, 'key') } : null;
  const grantStore = new SqliteGrantStore(db, {
    policy: () => grantPolicyFromLists(snapshots.current.policy, snapshots.current.classifier, config.grants),
    clock: now,
  });
  const directory = new DirectoryStore(db);
  const sessions = new SessionStore(
    db,
    { idleMs: config.adminSession.idleMinutes * 60_000, absoluteMs: config.adminSession.absoluteHours * 3_600_000, touchEveryMs: 60_000 },
    now,
  );
  const purge = setInterval(() => {
    try {
      sessions.purgeExpired();
    } catch (error) {
      log.warn({ err: error }, 'admin: expired sessions could not be purged; will retry');
    }
  }, SESSION_PURGE_MS);
  purge.unref();
  return {
    tls,
    deps: {
      grants: new GrantService(grantStore, directory),
      staff: new StaffStore(db, { clock: now }),
      directory,
      sessions,
      tokens: new ApiTokenStore(db, now),
      limiter: new LoginLimiter({ maxFailures: LOGIN_FAILURES_PER_ADDRESS, windowMs: LOGIN_WINDOW_MS, clock: now }),
      secure: tls !== null,
      clock: now,
      log,
    },
    stop: () => clearInterval(purge),
  };
}
