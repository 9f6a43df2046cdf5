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
import { decisionLine } from './decision-line.ts';
import type { DecisionRecord } from './decision-record.ts';
import { decisionLogDir } from './log-files.ts';
import { privacyFormatter, type PrivacyMode } from './privacy.ts';

const REDACT = ['headers.authorization', 'headers["proxy-authorization"]', 'req.headers["proxy-authorization"]', 'password'];

export type { DecisionLogSettings };

export const DEFAULT_DECISION_LOG_SETTINGS: DecisionLogSettings = DEFAULTS.log.decisionLog;

/** Writes one DecisionRecord line to the decision log (the proxy's per-request path; see decision-line.ts). */
export type DecisionWriter = (record: DecisionRecord) => void;

export interface Loggers {
  readonly app: Logger;
  /** The decision log, for the lines other than DecisionRecords (staff and self-service records). */
  readonly decisions: Logger;
  /** The decision log, for DecisionRecords: the same files, the same line pino would write. */
  readonly writeDecision: DecisionWriter;
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
 * Writes each DecisionRecord's line (decision-line.ts) to every destination,
 * as a logger from createDecisionLogger(destination, options) would.
 */
export function createDecisionWriter(destinations: readonly DestinationStream[], options: DecisionLoggerOptions = {}): DecisionWriter {
  const privacy = options.privacy ?? 'full';
  const now = options.now ?? Date.now;
  return (record) => {
    const line = decisionLine(record, now(), privacy);
    for (const destination of destinations) destination.write(line);
  };
}

/**
 * The rotating, chained decision log in decisionLogDir(dataDir), with its
 * logger and its DecisionRecord writer. Errors writing it (disk full) go to `app` and are retried.
 */
export function createDecisionLogging(
  dataDir: string,
  settings: DecisionLogSettings,
  options: LoggerFactoryOptions & { app?: Logger; alsoTo?: DestinationStream } = {},
): { logger: Logger; writeDecision: DecisionWriter; destination: DecisionLogDestination } {
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
  const loggerOptions: DecisionLoggerOptions = { privacy: settings.privacy, ...(options.clock === undefined ? {} : { now: options.clock }) };
  const logger = createDecisionLogger(stream, loggerOptions);
  const writeDecision = createDecisionWriter(options.alsoTo === undefined ? [destination] : [destination, options.alsoTo], loggerOptions);
  return { logger, writeDecision, destination };
}

/** Both loggers for `serve`: the application log on stdout and the rotating, chained decision log. */
export function createLoggers(
  dataDir: string,
  config: LogConfig,
  stdout: DestinationStream = pino.destination(1),
  options: LoggerFactoryOptions = {},
): Loggers {
  const app = createAppLogger(config.level, stdout);
  const { logger, writeDecision, destination } = createDecisionLogging(dataDir, config.decisionLog, {
    ...options,
    app,
    ...(config.decisionsToStdout ? { alsoTo: stdout } : {}),
  });
  return {
    app,
    decisions: logger,
    writeDecision,
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
