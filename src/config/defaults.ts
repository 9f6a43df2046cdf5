import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';

/** The categories shipped with wardgate, found relative to this file (works from src/ and dist/). */
export const SHIPPED_CATEGORIES_DIR = fileURLToPath(new URL('../../categories', import.meta.url));

export const DEFAULTS: Config = Object.freeze({
  listen: Object.freeze({ host: '127.0.0.1', port: 3128 }),
  admin: Object.freeze({ host: '127.0.0.1', port: 3129 }), // loopback only by default
  adminTls: Object.freeze({ cert: null, key: null }), // plain HTTP unless both are set
  adminSession: Object.freeze({ idleMinutes: 30, absoluteHours: 12 }), // 30 min idle, one working day at most
  dataDir: './data',
  categoriesDir: SHIPPED_CATEGORIES_DIR,
  parentProxy: null,
  resolve: Object.freeze([]),
  connectPorts: Object.freeze([443]),
  categories: Object.freeze({}),
  classifyCacheSize: 100_000, // entries
  limits: Object.freeze({
    headersTimeoutMs: 20_000, // 20 s to send request headers
    keepAliveTimeoutMs: 60_000, // 60 s idle client keep-alive
    maxHeaderBytes: 32 * 1024, // 32 KiB of request headers
    maxHeadersCount: 100, // header lines per request
    connectTimeoutMs: 10_000, // 10 s to connect upstream
    responseTimeoutMs: 60_000, // 60 s for upstream to start answering
    idleTimeoutMs: 300_000, // 5 min with no bytes on a body or tunnel
    shutdownGraceMs: 10_000, // 10 s for in-flight requests at shutdown
  }),
  log: Object.freeze({
    level: 'info',
    decisionsToStdout: false,
    decisionLog: Object.freeze({
      rotateBytes: 100 * 1024 * 1024, // 100 MiB: a busy day fits in a few files, each quick to verify or copy
      rotateDaily: true,
      retentionDays: 0, // days; 0 keeps everything until the council sets its retention period
      privacy: 'no-query', // like Squid's strip_query_terms: queries carry search terms and tokens
      chain: true,
      compress: true,
    }),
  }),
  lists: Object.freeze({ sources: Object.freeze([]), whenUnavailable: 'refuse-start' }), // no imported sources until configured
  grants: Object.freeze({ defaultExpiryDays: 90, maxExpiryDays: 365 }), // days
  selfService: Object.freeze({ host: 'wardgate.invalid' }), // .invalid never resolves (RFC 2606), so only the proxy can answer it
  notifications: Object.freeze({
    smtp: null, // off until configured
    maxAttempts: 5, // tries per email
    retryDelayMs: 30_000, // 30 s before the first retry, doubling: ~8 min of retries in all
  }),
});
