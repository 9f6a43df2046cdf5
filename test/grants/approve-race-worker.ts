/**
 * One contender in the cross-process approval race (sqlite-grant-store.test.ts):
 *   node --import tsx approve-race-worker.ts DATA_DIR GRANT_ID STAFF_ID START_AT_MS
 * Opens its own connection, waits for the shared start instant, approves, and
 * prints {"ok":true} or {"ok":false,"code":…} on stdout.
 */
import { SqliteGrantStore } from '../../src/grants/sqlite-grant-store.ts';
import { openDatabase } from '../../src/store/database.ts';
import { fakeGrantPolicy } from './fake-grant-policy.ts';

const [dataDir, grantId, staffId, startAt] = process.argv.slice(2) as [string, string, string, string];
const db = openDatabase(dataDir);
const store = new SqliteGrantStore(db, { policy: () => fakeGrantPolicy() });
// Busy-wait the last stretch so every contender fires within a millisecond or so of the others.
while (Date.now() < Number(startAt)) {
  if (Number(startAt) - Date.now() > 20) await new Promise((resolve) => setTimeout(resolve, 5));
}
try {
  await store.approve({ grantId, by: staffId });
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, code: (error as { code?: string }).code, message: (error as Error).message }));
} finally {
  db.close();
}
