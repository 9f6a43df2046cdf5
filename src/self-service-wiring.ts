/**
 * The member-facing services for the composition root: the self-service
 * pages (src/proxy/self-service.ts: the CSRF secret from the data dir, the
 * grants store behind the MemberRequests port with the member as requester)
 * and email notifications (src/notify). Either is undefined when off.
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { memberActor } from './grants/actor.ts';
import { MAX_REASON_LENGTH } from './grants/grant-rules.ts';
import type { GrantStore } from './grants/grant-store.ts';
import type { StaffStore } from './grants/staff-store.ts';
import { createNotifier, type Notifier } from './notify/notifier.ts';
import type { Database } from './store/database.ts';
import { createSelfService, type SelfService } from './proxy/self-service.ts';
import { createTokenSigner, loadSecret } from './proxy/self-service-token.ts';

export function createMemberSelfService(config: Config, grants: GrantStore, log: Logger, onSubmitted: () => void): SelfService | undefined {
  const host = config.selfService.host;
  if (host === null) return undefined;
  const secret = loadSecret(config.dataDir, (file) => log.warn({ file }, 'the self-service secret was readable by others: its mode is now 0600'));
  return createSelfService({
    host,
    signer: createTokenSigner(secret),
    requests: {
      submit: ({ memberId, scope, reason, days }) => grants.request({ memberId, scope, reason, requestedDays: days, requestedBy: memberActor(memberId) }),
      listFor: (memberId) => grants.history(memberId),
    },
    defaultDays: config.grants.defaultExpiryDays,
    maxDays: config.grants.maxExpiryDays,
    maxReasonLength: MAX_REASON_LENGTH,
    onSubmitted,
  });
}

export interface MemberServices {
  readonly selfService: SelfService | undefined;
  readonly notifier: Notifier | undefined;
}

/**
 * Both services, or the reason they cannot start (an unreadable SMTP password
 * file, a self-service secret that cannot be made) with the store closed.
 * `onSubmitted` is called after each self-service request is stored.
 */
export async function startMemberServices(
  config: Config,
  grants: GrantStore,
  staff: StaffStore,
  log: Logger,
  db: Database,
  onSubmitted: () => void,
): Promise<MemberServices> {
  try {
    const selfService = createMemberSelfService(config, grants, log, onSubmitted);
    const requestsUrl = selfService === undefined ? null : `http://${selfService.host}/requests`;
    const notifier = await createNotifier({ config: config.notifications, grants, staff, log, env: process.env, requestsUrl });
    return { selfService, notifier };
  } catch (error) {
    db.close();
    throw error;
  }
}
