import { once } from 'node:events';
import type { Server as NetServer } from 'node:net';

/** Starts `server` on 127.0.0.1 on a free port; resolves with the port. */
export async function listenLocal(server: NetServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}
