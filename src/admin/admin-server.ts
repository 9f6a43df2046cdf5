/**
 * The admin server: a fastify instance on its own address (never the proxy
 * listener; 127.0.0.1:3129 by default), over HTTPS when given a certificate.
 *
 *   GET /healthz  liveness: 200 `ok` while the process answers
 *   GET /readyz   readiness: 200 when the lists are loaded and the store
 *                 answers, 503 naming the failing part otherwise
 *   GET /metrics  Prometheus text exposition (prom-client)
 *
 * These three need no sign-in (probes and scrapers; keep the server on
 * loopback or a management network). With `staffUi`, the staff web UI
 * (web-routes.ts, session sign-in) and the JSON API under /api/v1
 * (api-routes.ts, bearer tokens) are served too. Every response carries the
 * security headers below; everything unknown is 404.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ClassifierStats } from '../classify/classifier.ts';
import type { HostPort } from '../config/config.ts';
import { registerApiRoutes } from './api-routes.ts';
import type { StaffUiDeps } from './staff-auth.ts';
import { registerWebRoutes } from './web-routes.ts';

/** What /readyz checks. */
export interface Readiness {
  /** The serving lists: `ready` is false while none are loaded (the block-all stand-in, or an empty index). */
  lists(): { readonly ready: boolean; readonly stats: ClassifierStats };
  /** Runs a trivial query against the store; throws when it does not answer. */
  checkStore(): void;
}

/** What /metrics serves. */
export interface MetricsSource {
  scrape(): Promise<string>;
  readonly contentType: string;
}

export interface AdminServerDeps {
  readonly metrics: MetricsSource;
  readonly readiness: Readiness;
  readonly log: Logger;
  /** The staff web UI and JSON API; monitoring only without it. */
  readonly staffUi?: StaffUiDeps;
  /** PEM certificate and key: serve HTTPS (staffUi.secure should then be true). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/**
 * Sent with every answer. No script runs on these pages at all, so the CSP
 * allows none; frames are refused both ways (old and new header); nothing
 * signed-in is cached (the stylesheet overrides this for itself).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
});

export interface AdminServer {
  /** Resolves with the bound address (port 0 → the port chosen). */
  listen(address: HostPort): Promise<HostPort>;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

export interface ReadinessReport {
  readonly lists: ClassifierStats | 'unavailable';
  readonly store: 'ok' | 'unreachable';
}

/** The /readyz answer: status and body. */
export function checkReadiness(readiness: Readiness, log: Logger): { status: 200 | 503; body: ReadinessReport } {
  let lists: ReadinessReport['lists'] = 'unavailable';
  try {
    const state = readiness.lists();
    if (state.ready) lists = { ...state.stats };
  } catch (error) {
    log.warn({ err: error }, 'readiness: the lists could not be checked');
  }
  let store: ReadinessReport['store'] = 'ok';
  try {
    readiness.checkStore();
  } catch (error) {
    log.warn({ err: error }, 'readiness: the store does not answer');
    store = 'unreachable';
  }
  return { status: lists !== 'unavailable' && store === 'ok' ? 200 : 503, body: { lists, store } };
}

export function createAdminServer(deps: AdminServerDeps): AdminServer {
  const { metrics, readiness, log } = deps;
  const app = Fastify({
    logger: false,
    // Scrapers keep connections alive; shutdown must not wait for them.
    forceCloseConnections: true,
    return503OnClosing: true,
    bodyLimit: 64 * 1024,
    ...(deps.tls === undefined ? {} : { https: { cert: deps.tls.cert, key: deps.tls.key } }),
  }) as unknown as FastifyInstance;

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    if (deps.tls !== undefined) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });

  const staffUi = deps.staffUi;
  if (staffUi !== undefined) {
    // Plugins register before listen(); fastify awaits them in ready().
    void app.register(cookie);
    void app.register(formbody);
    void app.register(async (scope) => {
      await registerWebRoutes(scope, staffUi);
      await registerApiRoutes(scope, staffUi);
    });
  }

  app.get('/healthz', async (_request, reply) => {
    return reply.type('text/plain; charset=utf-8').send('ok\n');
  });

  app.get('/readyz', async (_request, reply) => {
    const { status, body } = checkReadiness(readiness, log);
    return reply.code(status).send(body);
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).send(text);
  });

  app.setNotFoundHandler(async (_request, reply) => {
    return reply.code(404).type('text/plain; charset=utf-8').send('Not Found\n');
  });

  app.setErrorHandler(async (error: { statusCode?: number }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log.error({ err: error, url: request.url }, 'admin server: request failed');
    return reply.code(status).type('text/plain; charset=utf-8').send(status === 500 ? 'Internal Server Error\n' : 'Bad Request\n');
  });

  return {
    async listen(address: HostPort): Promise<HostPort> {
      await app.listen({ host: address.host, port: address.port });
      const bound = app.server.address();
      if (bound === null || typeof bound === 'string') return address;
      return { host: bound.address, port: bound.port };
    },
    async close(): Promise<void> {
      await app.close();
    },
  };
}
