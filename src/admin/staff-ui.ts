/**
 * Builds the staff web UI and API's dependencies from the stores main.ts
 * constructs (on the admin server's own connection) and the configuration:
 * the grant service, sessions, the sign-in limiter, the TLS certificate, and
 * a timer that purges expired sessions.
 */
import { createReportSource } from './report-source.ts';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import { WfError } from '../errors.ts';
import type { ApiTokenStore } from '../grants/api-token-store.ts';
import type { GrantStore } from '../grants/grant-store.ts';
import type { StaffStore } from '../grants/staff-store.ts';
import type { CategorySettingsDeps } from './category-settings-routes.ts';
import type { CategoryPolicy } from '../policy/policy-model.ts';
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
  /** The connection the stores below use (sessions live in it too). */
  readonly db: Database;
  readonly grants: GrantStore;
  readonly staff: StaffStore;
  readonly directory: DirectoryStore;
  readonly tokens: ApiTokenStore;
  /** The category policy serving now. */
  readonly categories: () => readonly CategoryPolicy[];
  /** Administrators' category overrides (categories page); absent: the page is read-only for everyone. */
  readonly categorySettings?: CategorySettingsDeps | undefined;
  readonly config: Pick<Config, 'adminTls' | 'adminSession' | 'dataDir'>;
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
  const { db, config, log, now, directory } = options;
  const { cert, key } = config.adminTls;
  const tls = cert !== null && key !== null ? { cert: readPem(cert, 'cert'), key: readPem(key, 'key') } : null;
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
      grants: new GrantService(options.grants, directory),
      staff: options.staff,
      directory,
      sessions,
      tokens: options.tokens,
      categories: options.categories,
      categorySettings: options.categorySettings,
      reports: createReportSource(config.dataDir, now),
      limiter: new LoginLimiter({ maxFailures: LOGIN_FAILURES_PER_ADDRESS, windowMs: LOGIN_WINDOW_MS, clock: now }),
      secure: tls !== null,
      clock: now,
      log,
    },
    stop: () => clearInterval(purge),
  };
}
