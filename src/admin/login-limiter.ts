/**
 * Sign-in throttling per client address: after `maxFailures` failed
 * sign-ins from one address within `windowMs`, further attempts from it are
 * refused (429) until the window that began with its first failure ends.
 * Successful sign-ins do not count, so a busy office behind one address is
 * not locked out by its own staff signing in.
 *
 * This is the address-side guard; the account side (lockout after repeated
 * failures, whatever the address) is StaffStore.authenticate. In memory on
 * purpose: it resets on restart, which costs an attacker nothing they would
 * not get from waiting, and the map is bounded (oldest entries dropped).
 * Written here rather than with @fastify/rate-limit because it must count
 * failures only and take an injected clock for tests.
 */
export interface LoginLimiterOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Most addresses tracked at once. */
  readonly maxAddresses?: number;
  readonly clock?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class LoginLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxAddresses: number;
  readonly #clock: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(options: LoginLimiterOptions) {
    if (!Number.isSafeInteger(options.maxFailures) || options.maxFailures < 1) throw new RangeError('maxFailures must be a positive whole number');
    if (!(options.windowMs > 0)) throw new RangeError('windowMs must be a positive number of milliseconds');
    this.#max = options.maxFailures;
    this.#windowMs = options.windowMs;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** Milliseconds until `address` may try again, or 0 when it may try now. */
  retryAfterMs(address: string): number {
    const window = this.#current(address);
    if (window === undefined || window.failures < this.#max) return 0;
    return window.start + this.#windowMs - this.#clock();
  }

  recordFailure(address: string): void {
    const window = this.#current(address);
    if (window !== undefined) {
      window.failures += 1;
      return;
    }
    if (this.#windows.size >= this.#maxAddresses) {
      const oldest = this.#windows.keys().next();
      if (oldest.done !== true) this.#windows.delete(oldest.value);
    }
    this.#windows.set(address, { start: this.#clock(), failures: 1 });
  }

  #current(address: string): Window | undefined {
    const window = this.#windows.get(address);
    if (window === undefined) return undefined;
    if (this.#clock() - window.start >= this.#windowMs) {
      this.#windows.delete(address);
      return undefined;
    }
    return window;
  }
}
