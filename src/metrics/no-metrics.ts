/**
 * The metrics a proxy records when nothing can read them (`--admin off`: the
 * admin server is what serves /metrics): every call does nothing, and
 * prom-client is never loaded.
 */
import type { RequestMetrics } from '../proxy/admission.ts';

export const NO_METRICS: RequestMetrics = Object.freeze({
  recordClassification: () => undefined,
  recordRequest: () => undefined,
  connectionOpened: () => undefined,
  connectionClosed: () => undefined,
});
