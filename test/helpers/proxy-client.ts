/** Sends one absolute-form request through the proxy with node:http and collects the answer. */
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

export interface ProxiedRequest {
  readonly proxyPort: number;
  readonly url: string;
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string | Buffer;
  readonly localAddress?: string;
  readonly agent?: import('node:http').Agent | false;
}

export function viaProxy(options: ProxiedRequest): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.proxyPort,
        method: options.method ?? 'GET',
        path: options.url,
        headers: options.headers ?? {},
        localAddress: options.localAddress,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('proxied request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}
