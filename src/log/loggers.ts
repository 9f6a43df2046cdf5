/**
 * The two pino loggers: the application log (stdout, for ICT) and the
 * decision log (NDJSON in the data dir, for auditors; optionally also stdout).
 * Decision lines are written asynchronously so logging never holds up a
 * request; they are flushed on shutdown. Credentials are redacted by path in
 * case anything ever logs a header object.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger, type DestinationStream } from 'pino';
import type { LogConfig } from '../config/config.ts';

export const DECISION_LOG_FILE = 'decisions.log';

const REDACT = ['headers.authorization', 'headers["proxy-authorization"]', 'req.headers["proxy-authorization"]', 'password'];

export interface Loggers {
  readonly app: Logger;
  readonly decisions: Logger;
  /** Writes out anything buffered; call before exit. */
  flush(): void;
}

export function createAppLogger(level: LogConfig['level'], destination: DestinationStream): Logger {
  return pino({ redact: REDACT, base: undefined, level, name: 'wardgate' }, destination);
}

export function createDecisionLogger(destination: DestinationStream): Logger {
  // Labelled levels: auditors read these files (and pino cannot leave the level out).
  return pino({ redact: REDACT, base: undefined, level: 'info', formatters: { level: (label: string) => ({ level: label }) } }, destination);
}

export function createLoggers(dataDir: string, config: LogConfig, stdout: DestinationStream = pino.destination(1)): Loggers {
  mkdirSync(dataDir, { recursive: true });
  const file = pino.destination({ dest: join(dataDir, DECISION_LOG_FILE), sync: false, mkdir: true });
  const destination = config.decisionsToStdout ? pino.multistream([{ stream: file }, { stream: stdout }]) : file;
  return {
    app: createAppLogger(config.level, stdout),
    decisions: createDecisionLogger(destination),
    flush() {
      try {
        file.flushSync();
      } catch {
        // Not yet open (no decision written): nothing to flush.
      }
    },
  };
}
