/**
 * ProxyContext: what the request handlers are handed by the composition
 * root. No handler reaches for a global; each gets this one value.
 */
import type { Socket } from 'node:net';
import type { LimitsConfig } from '../config/config.ts';
import type { AdmissionDeps } from './admission.ts';
import type { SelfService } from './self-service.ts';
import type { Upstream } from './upstream.ts';

export interface ProxyContext extends AdmissionDeps {
  readonly upstream: Upstream;
  readonly connectPorts: ReadonlySet<number>;
  readonly limits: LimitsConfig;
  /** Open tunnels (CONNECT and Upgrade), so shutdown can end them. */
  readonly tunnels: Set<Socket>;
  /** Requests and tunnels in flight, for graceful shutdown. */
  readonly inFlight: { count: number };
  /** The member's "Ask for access" pages on a reserved host; absent when `selfService.host` is off. */
  readonly selfService?: SelfService | undefined;
}
