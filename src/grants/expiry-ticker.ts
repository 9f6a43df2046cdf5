/**
 * The expiry ticker: every `intervalMs`, marks approved grants past their
 * expiry as `expired` (one audit event each, actor `system`) and reports
 * them, so the caller can rebuild the snapshot's active-grant index.
 *
 * Correctness does not wait for it: decide() already refuses a grant at its
 * expiry instant (isActive). The ticker keeps the stored status and the audit
 * trail in step with time. Ticks never overlap (a slow store skips a beat
 * rather than queueing), the timer is unref'd so it never keeps the process
 * alive, and a failing tick is reported and retried on the next one.
 */
import type { GrantRecord, GrantStore } from './grant-store.ts';

export interface ExpiryTickerOptions {
  readonly store: Pick<GrantStore, 'expireDue'>;
  /** How often to look, in ms (a few seconds is plenty: see above). */
  readonly intervalMs: number;
  readonly now: () => number;
  /** Called with the grants just marked expired (never with an empty list). */
  readonly onExpired: (grants: readonly GrantRecord[]) => void;
  readonly onError: (error: unknown) => void;
}

export interface ExpiryTicker {
  /** Runs one pass now (also what the timer calls); resolves when it is done. */
  tick(): Promise<void>;
  stop(): void;
}

export function startExpiryTicker(options: ExpiryTickerOptions): ExpiryTicker {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) {
    throw new RangeError(`startExpiryTicker: intervalMs must be a positive number of milliseconds, got ${options.intervalMs}`);
  }
  let running: Promise<void> | null = null;
  let stopped = false;

  const tick = (): Promise<void> => {
    if (running !== null) return running;
    running = (async () => {
      try {
        const expired = await options.store.expireDue(options.now());
        if (expired.length > 0 && !stopped) options.onExpired(expired);
      } catch (error) {
        options.onError(error);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return {
    tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
