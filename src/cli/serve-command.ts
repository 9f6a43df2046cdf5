/**
 * `wardgate serve`: run the proxy until SIGTERM/SIGINT. SIGHUP re-reads the
 * category lists without a restart.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.ts';
import { startWardgate } from '../main.ts';
import type { CliIO } from './cli-io.ts';
import { CONFIG_OPTIONS, configFlags } from './config-options.ts';

export const SERVE_USAGE = `Usage: wardgate serve [--config FILE] [--listen HOST:PORT] [--admin HOST:PORT|off]
                      [--admin-tls-cert FILE --admin-tls-key FILE]
                      [--data-dir DIR] [--categories DIR] [--parent-proxy HOST:PORT] [--resolve HOST:ADDR]...`;

export async function runServeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: CONFIG_OPTIONS, allowPositionals: false, strict: true });
  const config = loadConfig(configFlags(values), io.env);
  const wardgate = await startWardgate(config);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    wardgate.loggers.app.info({ signal }, 'shutting down: finishing in-flight requests');
    void wardgate.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        wardgate.loggers.app.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => void wardgate.reloadLists('SIGHUP'));
  // Serve until a signal ends the process.
  return new Promise<number>(() => undefined);
}
