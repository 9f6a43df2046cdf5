/**
 * One wardgate for proxy-decision-log.bench.ts: started in its own process
 * with the rotating decision log, chain on or off, so the load generator and
 * the origin (in the parent) do not share its event loop.
 *
 *   node --import tsx bench/log/proxy-child.ts DATA_DIR on|off
 *
 * Prints {"port":N} on stdout when listening; on SIGTERM stops, closes the
 * log and prints {"lines":N} (decision lines written) before exiting.
 */
import { DEFAULTS } from '../../src/config/defaults.ts';
import { createLoggers, DEFAULT_DECISION_LOG_SETTINGS } from '../../src/log/loggers.ts';
import { startWardgate } from '../../src/main.ts';
import { FIXTURE_CATEGORIES } from '../../test/helpers/wardgate-harness.ts';
import { Writable } from 'node:stream';

const [dataDir, chain] = process.argv.slice(2);
if (dataDir === undefined || (chain !== 'on' && chain !== 'off')) throw new Error('usage: proxy-child.ts DATA_DIR on|off');
// The application log is not what is measured: keep it off stdout, which carries the port.
const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
const loggers = createLoggers(
  dataDir,
  { level: 'warn', decisionsToStdout: false, decisionLog: { ...DEFAULT_DECISION_LOG_SETTINGS, chain: chain === 'on', compress: false } },
  quiet,
);
const wardgate = await startWardgate(
  { ...DEFAULTS, listen: { host: '127.0.0.1', port: 0 }, admin: null, dataDir, categoriesDir: FIXTURE_CATEGORIES },
  { loggers },
);
process.stdout.write(`${JSON.stringify({ port: wardgate.address.port })}\n`);
process.once('SIGTERM', () => {
  void (async () => {
    await wardgate.stop();
    await loggers.close?.();
    process.exit(0);
  })();
});
