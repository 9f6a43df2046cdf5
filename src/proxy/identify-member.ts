/**
 * identify: who is asking. `Proxy-Authorization: Basic` checked against the
 * member directory, else the member registered for the client's address.
 * Nobody else gets through: wardgate is never an open proxy.
 *
 * Password checks use scrypt, which is deliberately slow, so a successful
 * check is remembered (keyed by a SHA-256 of the credentials, never the
 * password itself) for `cacheTtlMs`. The entry is tied to the stored hash it
 * was checked against, so changing a member's password or removing the member
 * invalidates it at once.
 *
 * Guessing passwords through the proxy is throttled per client address: after
 * `maxFailures` wrong passwords within `failureWindowMs`, that address gets
 * 407 without any password being checked until the window passes. Keyed by
 * address, not user name, so nobody can lock a member out from elsewhere.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DirectorySnapshot, MemberRecord } from '../directory/directory-snapshot.ts';

export type Identity =
  | { readonly ok: true; readonly member: MemberRecord; readonly via: 'password' | 'address' }
  | {
      readonly ok: false;
      readonly reason: 'no-credentials' | 'malformed-credentials' | 'bad-credentials' | 'locked-out';
      readonly username?: string;
    };

export type VerifyPassword = (password: string, storedHash: string) => Promise<boolean>;

export interface IdentifyOptions {
  readonly verifyPassword: VerifyPassword;
  /** How long a verified password is trusted without re-running scrypt. */
  readonly cacheTtlMs: number;
  readonly cacheSize: number;
  /** Wrong passwords from one address before it is locked out for the rest of the window. */
  readonly maxFailures: number;
  readonly failureWindowMs: number;
}

interface VerifiedEntry {
  readonly memberId: string;
  readonly storedHash: string;
}

const NO_CREDENTIALS: Identity = Object.freeze({ ok: false, reason: 'no-credentials' });
const MALFORMED: Identity = Object.freeze({ ok: false, reason: 'malformed-credentials' });

export function parseBasicCredentials(header: string): { username: string; password: string } | null {
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function createIdentifier(options: IdentifyOptions) {
  const verified = new LRUCache<string, VerifiedEntry>({ max: options.cacheSize, ttl: options.cacheTtlMs });
  // Counts from an address's first failure until its window ends; later failures do not extend the window.
  const failures = new LRUCache<string, { count: number }>({ max: 10_000, ttl: options.failureWindowMs, noUpdateTTL: true });
  /**
   * Password checks in flight, by credentials and stored hash. Measured (bench/e2e, 64 keep-alive
   * connections of one member opening at once): every connection's first request ran its own
   * scrypt (≈50 ms and 16 MiB each, 4 at a time on libuv's pool), stalling the proxy for
   * seconds (p99 2 s) and lifting its RSS from 91 to 235 MiB. Concurrent requests with the same
   * credentials now share one check.
   */
  const checking = new Map<string, Promise<boolean>>();

  function verifyOnce(key: string, password: string, storedHash: string): Promise<boolean> {
    const id = `${key}\n${storedHash}`;
    let check = checking.get(id);
    if (check === undefined) {
      check = options.verifyPassword(password, storedHash).finally(() => checking.delete(id));
      checking.set(id, check);
    }
    return check;
  }

  function refuse(clientAddress: string, username: string): Identity {
    const entry = failures.get(clientAddress);
    if (entry === undefined) failures.set(clientAddress, { count: 1 });
    else entry.count++;
    return { ok: false, reason: 'bad-credentials', username };
  }

  async function byPassword(header: string, clientAddress: string, directory: DirectorySnapshot): Promise<Identity> {
    const credentials = parseBasicCredentials(header);
    if (credentials === null) return MALFORMED;
    const username = credentials.username.toLowerCase();
    if ((failures.get(clientAddress)?.count ?? 0) >= options.maxFailures) return { ok: false, reason: 'locked-out', username };
    const member = directory.members.get(username);
    if (member === undefined || member.passwordHash === null) return refuse(clientAddress, username);
    const key = createHash('sha256').update(header).digest('base64');
    const cached = verified.get(key);
    if (cached !== undefined && cached.memberId === member.id && cached.storedHash === member.passwordHash) {
      return { ok: true, member, via: 'password' };
    }
    if (!(await verifyOnce(key, credentials.password, member.passwordHash))) return refuse(clientAddress, username);
    verified.set(key, { memberId: member.id, storedHash: member.passwordHash });
    return { ok: true, member, via: 'password' };
  }

  /**
   * Credentials, when sent, must be right: a wrong password is refused even
   * from a registered address, so a typo is never silently someone else.
   */
  return function identify(
    authorization: string | undefined,
    clientAddress: string,
    directory: DirectorySnapshot,
  ): Identity | Promise<Identity> {
    if (authorization !== undefined) return byPassword(authorization, clientAddress, directory);
    const memberId = directory.byIp.get(clientAddress);
    const member = memberId === undefined ? undefined : directory.members.get(memberId);
    return member === undefined ? NO_CREDENTIALS : { ok: true, member, via: 'address' };
  };
}

export type Identify = ReturnType<typeof createIdentifier>;
