/**
 * Email notifications for `serve`: the audit-trail feed feeding the outbox,
 * sending over SMTP. Undefined when `notifications.smtp` is not configured
 * (the default): then nothing here runs at all.
 */
import type { Logger } from 'pino';
import type { NotificationsConfig } from '../config/config.ts';
import type { DirectorySnapshot } from '../directory/directory-snapshot.ts';
import type { GrantStore } from '../grants/grant-store.ts';
import type { MailSender } from './mail.ts';
import { createNotificationFeed, type StaffLookup } from './notification-feed.ts';
import { createOutbox, type Outbox } from './outbox.ts';
import { createSmtpSender } from './smtp-sender.ts';

export interface Notifier {
  /** Queues the emails for grant events committed since the last call; never waits for a mail server. */
  catchUp(directory: DirectorySnapshot): Promise<void>;
  /** Emails waiting to be sent (or retried). */
  pending(): number;
  stop(): Promise<void>;
}

export interface NotifierDeps {
  readonly config: NotificationsConfig;
  readonly grants: GrantStore;
  readonly staff: StaffLookup;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** The member's requests page (`http://<selfService.host>/requests`), or null when self-service is off. */
  readonly requestsUrl: string | null;
  /** Replaces the SMTP sender (tests). */
  readonly sender?: MailSender;
}

export async function createNotifier(deps: NotifierDeps): Promise<Notifier | undefined> {
  const smtp = deps.config.smtp;
  if (smtp === null && deps.sender === undefined) return undefined;
  const sender = deps.sender ?? createSmtpSender(smtp!, deps.env, (error) => deps.log.warn({ err: error }, 'mail transport error'));
  const outbox: Outbox = createOutbox({ sender, log: deps.log, maxAttempts: deps.config.maxAttempts, retryDelayMs: deps.config.retryDelayMs });
  const feed = await createNotificationFeed({
    grants: deps.grants,
    staff: deps.staff,
    enqueue: (mail) => outbox.enqueue(mail),
    log: deps.log,
    requestsUrl: deps.requestsUrl,
  });
  deps.log.info({ smtp: smtp === null ? 'custom' : `${smtp.host}:${smtp.port}` }, 'email notifications on');
  return { catchUp: (directory) => feed.catchUp(directory), pending: () => outbox.pending(), stop: () => outbox.stop() };
}
