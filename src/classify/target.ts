/**
 * Target: the one canonical form of a request destination. Every way into
 * wardgate (absolute-form HTTP, CONNECT, Upgrade, `wardgate classify`) builds
 * a Target with normalise-url.ts, so that every spelling of a host or path is
 * classified the same way.
 */
export type TargetScheme = 'http' | 'https' | 'ws' | 'wss';

export interface Target {
  readonly scheme: TargetScheme;
  /**
   * Canonical host: lower case, no trailing dot, IDN as punycode, IPv4 in
   * dotted-quad form (whatever spelling arrived), IPv6 in brackets.
   */
  readonly host: string;
  /** Effective port (the scheme's default when none was given). */
  readonly port: number;
  /** host, plus `:port` where the port is not the scheme's default. */
  readonly authority: string;
  /** True when host is an IPv4 or IPv6 literal (no domain walk applies). */
  readonly isIp: boolean;
  /** Path and query as sent upstream (WHATWG-serialised, never decoded). "" for CONNECT. */
  readonly path: string;
  /**
   * Path and query percent-decoded once and lower-cased: what URL prefixes and
   * keywords are matched against. "" for CONNECT.
   */
  readonly matchPath: string;
  /** Canonical URL for logs and the block page: scheme://authority + path. */
  readonly url: string;
}
