/**
 * The notification outbox: emails wait here and are sent one at a time in
 * the background, so nothing that queues one (the store sync, never a proxied
 * request) ever waits for a mail server. A failed send is logged and retried
 * after `retryDelayMs`, doubling each time, up to `maxAttempts` tries; then it
 * is given up with an error in the application log. The queue is bounded:
 * past `maxQueued`, the oldest waiting email is dropped (and logged), so a
 * mail server that is down for days cannot grow the process without limit.
 *
 * In memory on purpose: the audit trail in the store is the record of what
 * happened; an email is a courtesy. Emails waiting at shutdown are logged
 * as not sent.
 */
import type { Logger } from 'pino';
import type { Mail, MailSender } from './mail.ts';

export interface OutboxOptions {
  readonly sender: MailSender;
  readonly log: Logger;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly maxQueued?: number;
  readonly now?: () => number;
}

export interface Outbox {
  enqueue(mail: Mail): void;
  /** Emails waiting or being retried. */
  pending(): number;
  /** Stops sending (an email in flight is let finish) and closes the sender. */
  stop(): Promise<void>;
}

interface Entry {
  readonly mail: Mail;
  attempts: number;
  notBefore: number;
}

const DEFAULT_MAX_QUEUED = 1_000;

export function createOutbox(options: OutboxOptions): Outbox {
  const { sender, log, maxAttempts, retryDelayMs } = options;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const now = options.now ?? Date.now;
  const queue: Entry[] = [];
  let timer: NodeJS.Timeout | null = null;
  let sending: Promise<void> | null = null;
  let stopped = false;
  /** The entry being sent, which the overflow rule must not drop. */
  let current: Entry | null = null;

  function remove(entry: Entry): void {
    const at = queue.indexOf(entry);
    if (at !== -1) queue.splice(at, 1);
  }

  function schedule(): void {
    if (stopped || sending !== null || queue.length === 0) return;
    if (timer !== null) clearTimeout(timer);
    const due = Math.min(...queue.map((e) => e.notBefore));
    timer = setTimeout(() => {
      timer = null;
      sending = sendDue().finally(() => {
        sending = null;
        schedule();
      });
    }, Math.max(0, due - now()));
    timer.unref();
  }

  async function sendDue(): Promise<void> {
    const entry = queue.filter((e) => e.notBefore <= now()).sort((a, b) => a.notBefore - b.notBefore)[0];
    if (entry === undefined) return;
    entry.attempts++;
    current = entry;
    try {
      await sender.send(entry.mail);
      remove(entry);
      log.info({ notification: entry.mail.about, attempts: entry.attempts }, 'notification sent');
    } catch (error) {
      const about = entry.mail.about;
      const reason = describe(error);
      if (entry.attempts >= maxAttempts) {
        remove(entry);
        log.error({ notification: about, attempts: entry.attempts, reason }, `notification not sent: gave up after ${entry.attempts} attempts`);
        return;
      }
      const delay = retryDelayMs * 2 ** (entry.attempts - 1);
      entry.notBefore = now() + delay;
      log.warn({ notification: about, attempt: entry.attempts, retryInMs: delay, reason }, 'notification could not be sent; will retry');
    } finally {
      current = null;
    }
  }

  return {
    enqueue(mail) {
      if (stopped) return;
      queue.push({ mail, attempts: 0, notBefore: now() });
      while (queue.length > maxQueued) {
        // The oldest waiting one goes, never the one being sent.
        const [entry] = queue.splice(queue.findIndex((e) => e !== current), 1);
        log.error({ notification: entry!.mail.about, queued: maxQueued }, 'notification dropped: too many waiting to be sent');
      }
      schedule();
    },
    pending: () => queue.length,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await sending?.catch(() => {});
      if (queue.length > 0) {
        log.warn({ notifications: queue.map((e) => e.mail.about) }, `${queue.length} notification(s) not sent: wardgate stopped`);
      }
      queue.length = 0;
      sender.close();
    },
  };
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string } | null;
  return [e?.code, e?.message].filter((p) => p !== undefined && p !== '').join(': ') || String(error);
}
