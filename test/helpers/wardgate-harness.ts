/**
 * Starts a real wardgate (the same startWardgate() `serve` uses) on
 * 127.0.0.1 with a temporary data dir, the test category fixtures and two
 * members, and captures its decision lines. Everything is torn down by stop().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/config.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { DirectoryStore } from '../../src/directory/directory-store.ts';
import { hashPassword } from '../../src/directory/password.ts';
import { startWardgate, type Wardgate } from '../../src/main.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createLogSink, sinkLoggers, type LogSink } from './log-sink.ts';

export const FIXTURE_CATEGORIES = fileURLToPath(new URL('../fixtures/proxy-categories', import.meta.url));

export const ALICE = { id: 'alice', password: 'correct horse battery', group: 'labour' } as const;
/** Identified by source address 127.0.0.2 (no password). */
export const BOB = { id: 'bob', address: '127.0.0.2', group: 'green' } as const;

export interface Harness {
  readonly wardgate: Wardgate;
  readonly port: number;
  readonly dataDir: string;
  readonly decisions: LogSink;
  readonly app: LogSink;
  /** `Proxy-Authorization` value for Alice. */
  readonly aliceAuth: string;
  stop(): Promise<void>;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export async function seedDirectory(dataDir: string): Promise<void> {
  const db = openDatabase(dataDir);
  try {
    const directory = new DirectoryStore(db);
    directory.addGroup({ id: 'labour', name: 'Labour' });
    directory.addGroup({ id: 'green', name: 'Green' });
    directory.addMember({ id: ALICE.id, name: 'Alice Example', groupId: ALICE.group, passwordHash: await hashPassword(ALICE.password) });
    directory.addMember({ id: BOB.id, name: 'Bob Example', groupId: BOB.group, passwordHash: null, ips: [BOB.address] });
  } finally {
    db.close();
  }
}

/** A test wardgate's settings: loopback on ephemeral ports, the fixture categories, `dataDir`, a 2 s shutdown grace. */
export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return {
    ...DEFAULTS,
    listen: { host: '127.0.0.1', port: 0 },
    // An ephemeral admin port, so tests running side by side never fight over 3129.
    admin: { host: '127.0.0.1', port: 0 },
    dataDir,
    categoriesDir: FIXTURE_CATEGORIES,
    ...overrides,
    limits: { ...DEFAULTS.limits, shutdownGraceMs: 2_000, ...overrides.limits },
  };
}

export async function startHarness(overrides: Partial<Config> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardgate-test-'));
  await seedDirectory(dataDir);
  const decisions = createLogSink();
  const app = createLogSink();
  const config = testConfig(dataDir, overrides);
  const wardgate = await startWardgate(config, { loggers: sinkLoggers(decisions, app) });
  return {
    wardgate,
    port: wardgate.address.port,
    dataDir,
    decisions,
    app,
    aliceAuth: basicAuth(ALICE.id, ALICE.password),
    async stop() {
      await wardgate.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
