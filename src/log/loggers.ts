/**
 * The two pino loggers: the application log (stdout, for ICT) and the
 * decision log (NDJSON in the data dir, for auditors; optionally also stdout).
 * Decision lines are written asynchronously so logging never holds up a
 * request; they are flushed on shutdown. Credentials are redacted by path in
 * case anything ever logs a header object.
 */
import pino, { type Logger, type DestinationStream, type LoggerOptions } from 'pino';
import type { DecisionLogSettings, LogConfig } from '../config/config.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { createDecisionLogDestination, type DecisionLogDestination } from './decision-log-destination.ts';
import { decisionLogDir } from './log-files.ts';
import { privacyFormatter, type PrivacyMode } from './privacy.ts';

const REDACT = ['headers.authorization', 'headers["proxy-authorization"]', 'req.headers["proxy-authorization"]', 'password'];

export type { DecisionLogSettings };

export const DEFAULT_DECISION_LOG_SETTINGS: DecisionLogSettings = DEFAULTS.log.decisionLog;

export interface Loggers {
  readonly app: Logger;
  readonly decisions: Logger;
  /** Writes out anything buffered, synchronously; call before exit. */
  flush(): void;
  /** Writes out everything, closes the files and releases the decision log's lock (the rotating log only). */
  close?(): Promise<void>;
}

export interface DecisionLoggerOptions {
  readonly privacy?: PrivacyMode;
  /** Clock for the `time` field (tests); Date.now otherwise. */
  readonly now?: () => number;
}

export interface LoggerFactoryOptions {
  /** Worker label when several processes serve (each writes its own files and chain). */
  readonly worker?: string | null;
  /** Fake clock for tests: line times, rotation and retention. */
  readonly clock?: () => number;
}

export function createAppLogger(level: LogConfig['level'], destination: DestinationStream): Logger {
  return pino({ redact: REDACT, base: undefined, level, name: 'wardgate' }, destination);
}

export function createDecisionLogger(destination: DestinationStream, options: DecisionLoggerOptions = {}): Logger {
  const log = privacyFormatter(options.privacy ?? 'full');
  const now = options.now;
  const pinoOptions: LoggerOptions = {
    redact: REDACT,
    base: undefined,
    level: 'info',
    // Labelled levels: auditors read these files (and pino cannot leave the level out).
    formatters: { level: (label: string) => ({ level: label }), ...(log === undefined ? {} : { log }) },
    ...(now === undefined ? {} : { timestamp: () => `,"time":${now()}` }),
  };
  return pino(pinoOptions, destination);
}

/**
 * The rotating, chained decision log in decisionLogDir(dataDir), with its
 * logger. Errors writing it (disk full) go to `app` and are retried.
 */
export function createDecisionLogging(
  dataDir: string,
  settings: DecisionLogSettings,
  options: LoggerFactoryOptions & { app?: Logger; alsoTo?: DestinationStream } = {},
): { logger: Logger; destination: DecisionLogDestination } {
  const destination = createDecisionLogDestination({
    dir: decisionLogDir(dataDir),
    rotateBytes: settings.rotateBytes,
    rotateDaily: settings.rotateDaily,
    retentionDays: settings.retentionDays,
    chain: settings.chain,
    compress: settings.compress,
    worker: options.worker ?? null,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const app = options.app;
  if (app !== undefined) destination.on('error', (error: Error) => app.error({ err: error }, 'decision log: write failed, retrying'));
  const stream = options.alsoTo === undefined ? destination : pino.multistream([{ stream: destination }, { stream: options.alsoTo }]);
  const logger = createDecisionLogger(stream, { privacy: settings.privacy, ...(options.clock === undefined ? {} : { now: options.clock }) });
  return { logger, destination };
}

/** Both loggers for `serve`: the application log on stdout and the rotating, chained decision log. */
export function createLoggers(
  dataDir: string,
  config: LogConfig,
  stdout: DestinationStream = pino.destination(1),
  options: LoggerFactoryOptions = {},
): Loggers {
  const app = createAppLogger(config.level, stdout);
  const { logger, destination } = createDecisionLogging(dataDir, config.decisionLog, {
    ...options,
    app,
    ...(config.decisionsToStdout ? { alsoTo: stdout } : {}),
  });
  return {
    app,
    decisions: logger,
    flush() {
      try {
        destination.flushSync();
      } catch (error) {
        app.error({ err: error }, 'decision log: final flush failed');
      }
    },
    close: () => destination.close(),
  };
}
