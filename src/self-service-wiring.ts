/**
 * Builds the member's self-service pages (src/proxy/self-service.ts) for the
 * composition root: the CSRF secret from the data dir, and the grants store
 * behind the MemberRequests port, with the member as the requester.
 * Null when `selfService.host` is off.
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import { memberActor } from './grants/actor.ts';
import { MAX_REASON_LENGTH } from './grants/grant-rules.ts';
import type { GrantStore } from './grants/grant-store.ts';
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
