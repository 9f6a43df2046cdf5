/**
 * `wardgate serve`: run the proxy until SIGTERM/SIGINT. SIGHUP re-reads the
 * category lists without a restart.
 */
import { parseArgs } from 'node:util';
import cluster from 'node:cluster';
import { loadConfig } from '../config/load-config.ts';
import { createLoggers } from '../log/loggers.ts';
import { startWardgate } from '../main.ts';
import type { CliIO } from './cli-io.ts';
import { CONFIG_OPTIONS, configFlags } from './config-options.ts';
import { parseWorkers, runPrimary, workerLabel } from './serve-workers.ts';

export const SERVE_USAGE = `Usage: wardgate serve [--config FILE] [--listen HOST:PORT] [--admin HOST:PORT|off]
                      [--admin-tls-cert FILE --admin-tls-key FILE]
                      [--data-dir DIR] [--categories DIR] [--parent-proxy HOST:PORT] [--resolve HOST:ADDR]...
                      [--workers N|auto]
--workers N runs N proxy processes sharing the listening socket (auto: one per core); default 1.`;

export async function runServeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...CONFIG_OPTIONS, workers: { type: 'string' } }, allowPositionals: false, strict: true });
  const config = loadConfig(configFlags(values), io.env);
  const workers = parseWorkers(values.workers);
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers, io);
  // A cluster worker: its own decision log chain and files. Worker 1 alone runs what must happen once:
  // the admin server (one address), email notifications and the staff lines in the decision log.
  const label = workerLabel();
  const loggers = label === null ? undefined : createLoggers(config.dataDir, config.log, undefined, { worker: label });
  const secondary = label !== null && label !== '1';
  const wardgate = await startWardgate(secondary ? { ...config, admin: null, notifications: { ...config.notifications, smtp: null } } : config, {
    ...(loggers === undefined ? {} : { loggers }),
    staffLogLines: !secondary,
  });

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
