/**
 * The proxy's Prometheus metrics: one prom-client Registry of its own (never
 * the global one, so tests and several instances in one process do not
 * collide). Implements RequestMetrics, which the proxy records through; the
 * values that are cheap to read on demand (tunnels, index size, grants) are
 * read at scrape time by collect() callbacks instead of being kept up to date.
 *
 * `wardgate_requests_total{decision,kind,category}` counts each request once,
 * under the FIRST category of its decision ('' for none), so the counter's
 * sum is the number of requests. Requests to the self-service host are
 * counted under `decision="self-service"` (they are neither allowed nor
 * blocked browsing), so they are in that sum without skewing the others.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClassifierStats } from '../classify/classifier.ts';
import type { RequestMetrics } from '../proxy/admission.ts';

/** Where the scrape-time gauges read from; each callback must be cheap. */
export interface MetricsSources {
  /** Open CONNECT and Upgrade tunnels. */
  readonly tunnels: () => number;
  /** The serving classifier's index size. */
  readonly indexStats: () => ClassifierStats;
  /** Grants by status (e.g. { approved: 3, pending: 1 }). */
  readonly grantsByStatus: () => Readonly<Record<string, number>>;
}

export interface ProxyMetrics extends RequestMetrics {
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

/** Upstream error codes are counted only when they are one of these (a small, fixed label set). */
const UPSTREAM_ERROR_PREFIX = 'WF_ERR_UPSTREAM_';

export function createProxyMetrics(sources: MetricsSources): ProxyMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry }); // process_* and nodejs_*, the standard names

  const requests = new Counter({
    name: 'wardgate_requests_total',
    help: 'Requests finished, by decision (allow, block, allow-by-grant, refuse, self-service), kind (http, connect, upgrade) and first category ("" for none)',
    labelNames: ['decision', 'kind', 'category'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'wardgate_request_duration_seconds',
    help: 'Time from a request arriving to it ending (tunnels: until closed), by kind and decision',
    labelNames: ['kind', 'decision'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const classification = new Histogram({
    name: 'wardgate_classification_duration_seconds',
    help: 'Time spent classifying and deciding one request (evaluate())',
    buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  const cache = new Counter({
    name: 'wardgate_classification_cache_total',
    help: 'Classifications by cache result (hit, miss); hit ratio = hit / (hit + miss)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const connections = new Gauge({
    name: 'wardgate_active_connections',
    help: 'Client connections open to the proxy listener',
    registers: [registry],
  });
  const upstreamErrors = new Counter({
    name: 'wardgate_upstream_errors_total',
    help: 'Requests that failed reaching upstream, by error code (WF_ERR_UPSTREAM_*)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'wardgate_active_tunnels',
    help: 'CONNECT and Upgrade tunnels open',
    registers: [registry],
    collect() {
      this.set(sources.tunnels());
    },
  });
  new Gauge({
    name: 'wardgate_index_entries',
    help: 'Entries in the serving category index, by kind (domains, urls, keywords, lists)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const stats = sources.indexStats();
      this.set({ kind: 'domains' }, stats.domains);
      this.set({ kind: 'urls' }, stats.urls);
      this.set({ kind: 'keywords' }, stats.keywords);
      this.set({ kind: 'lists' }, stats.lists);
    },
  });
  new Gauge({
    name: 'wardgate_grants',
    help: 'Exclusion grants by status',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, count] of Object.entries(sources.grantsByStatus())) this.set({ status }, count);
    },
  });

  // Label children resolved once, so the hot path does no label lookups for the common cases.
  const cacheHit = cache.labels('hit');
  const cacheMiss = cache.labels('miss');
  cacheHit.inc(0);
  cacheMiss.inc(0);

  return {
    registry,
    contentType: registry.contentType,
    scrape: () => registry.metrics(),
    recordClassification(seconds, result) {
      classification.observe(seconds);
      if (result === 'hit') cacheHit.inc();
      else if (result === 'miss') cacheMiss.inc();
    },
    recordRequest(kind, decision, category, seconds, error) {
      requests.labels(decision, kind, category).inc();
      duration.labels(kind, decision).observe(seconds);
      if (error !== null && error.startsWith(UPSTREAM_ERROR_PREFIX)) upstreamErrors.labels(error).inc();
    },
    connectionOpened() {
      connections.inc();
    },
    connectionClosed() {
      connections.dec();
    },
  };
}
