/** Captures pino lines as parsed objects (pino's own test `sink()` idea), and builds Loggers around it. */
import { Writable } from 'node:stream';
import { createAppLogger, createDecisionLogger, createDecisionWriter, type Loggers } from '../../src/log/loggers.ts';

export interface LogSink {
  readonly lines: Record<string, unknown>[];
  readonly stream: Writable;
  /** Resolves when a line matching `predicate` has been written (or rejects after timeoutMs). */
  waitFor(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function createLogSink(): LogSink {
  const lines: Record<string, unknown>[] = [];
  const waiters: { predicate: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text.trim() === '') continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        for (const w of [...waiters]) {
          if (w.predicate(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
      done();
    },
  });
  return {
    lines,
    stream,
    waitFor(predicate, timeoutMs = 5_000) {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('log line not written in time')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

export function sinkLoggers(decisions: LogSink, app: LogSink = createLogSink()): Loggers {
  return {
    app: createAppLogger('debug', app.stream),
    decisions: createDecisionLogger(decisions.stream),
    writeDecision: createDecisionWriter([decisions.stream]),
    flush() {},
  };
}
