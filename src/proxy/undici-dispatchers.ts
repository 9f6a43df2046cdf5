/**
 * undici's Agent and Pool classes, loaded from their own files instead of the
 * package index. The index also loads fetch, WebSocket, EventSource, the cache
 * and mock layers and the interceptors, none of which the proxy uses: ≈9 MiB
 * of RSS in a serving process (measured: `require('undici')` +19.8 MiB,
 * `require('undici/lib/dispatcher/agent.js')` +10.8 MiB). These are the very
 * classes the index exports (it re-exports these files), so behaviour and
 * types are the same; test/proxy/undici-dispatchers.test.ts checks that.
 * undici has no `exports` map, so these paths are importable; they are pinned
 * by package-lock.json.
 */
import { createRequire } from 'node:module';
import type { Agent as AgentClass, Pool as PoolClass, buildConnector as BuildConnector } from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentClass;
export const Pool = require('undici/lib/dispatcher/pool.js') as typeof PoolClass;
/** undici's connector factory (for pooled-http-socket.ts), from the file the index re-exports as `buildConnector`. */
export const buildConnector = require('undici/lib/core/connect.js') as typeof BuildConnector;
/** The symbol under which undici keeps a socket's HTTP/1 parser (lib/core/symbols.js), for pooled-http-socket.ts. */
export const kParser = (require('undici/lib/core/symbols.js') as { kParser?: symbol }).kParser;
