/**
 * The admin server: a fastify instance on its own address (never the proxy
 * listener; 127.0.0.1:3129 by default). For now it serves monitoring only:
 *
 *   GET /healthz  liveness: 200 `ok` while the process answers
 *   GET /readyz   readiness: 200 when the lists are loaded and the store
 *                 answers, 503 naming the failing part otherwise
 *   GET /metrics  Prometheus text exposition (prom-client)
 *
 * Everything else is 404. The grants web UI is added on top of this later.
 * No authentication yet: keep it on loopback or a management network.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ClassifierStats } from '../classify/classifier.ts';
import type { HostPort } from '../config/config.ts';

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
}

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
  const app: FastifyInstance = Fastify({
    logger: false,
    // Scrapers keep connections alive; shutdown must not wait for them.
    forceCloseConnections: true,
    return503OnClosing: true,
    bodyLimit: 64 * 1024,
  });

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
