/**
 * The admin server over HTTPS (adminTls): probes and pages answer over TLS
 * with HSTS, and the session cookie is Secure with the __Host- prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { isWfError } from '../../src/errors.ts';
import { startHarness } from '../helpers/wardgate-harness.ts';
import { addStaff, STAFF_PASSWORD } from './admin-client.ts';

const CERT = fileURLToPath(new URL('../fixtures/admin-tls/cert.pem', import.meta.url));
const KEY = fileURLToPath(new URL('../fixtures/admin-tls/key.pem', import.meta.url));

interface Answer {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  text: string;
}

function https(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, ca: readFileSync(CERT), servername: 'localhost', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

test('HTTPS admin server: /healthz with HSTS; sign-in sets a Secure __Host- session cookie', async (t) => {
  const harness = await startHarness({ adminTls: { cert: CERT, key: KEY } });
  t.after(() => harness.stop());
  const port = harness.wardgate.adminAddress!.port;
  await addStaff(harness.dataDir, [{ id: 'auditor1', role: 'auditor' }]);

  const health = await https(port, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.match(String(health.headers['strict-transport-security']), /max-age=\d+/);

  const login = await https(port, 'GET', '/login');
  const loginCookie = (login.headers['set-cookie'] ?? []).find((c) => c.startsWith('wardgate_login='))!;
  assert.match(loginCookie, /Secure/);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1]!;
  const form = new URLSearchParams({ _csrf: csrf, user: 'auditor1', password: STAFF_PASSWORD }).toString();
  const signedIn = await https(port, 'POST', '/login', { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie.split(';')[0]! }, form);
  assert.equal(signedIn.status, 303);
  const session = (signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-wardgate_session='));
  assert.ok(session !== undefined, String(signedIn.headers['set-cookie']));
  assert.match(session, /; Secure/i);
  assert.match(session, /HttpOnly/i);
  assert.match(session, /SameSite=Strict/i);
  assert.match(session, /Path=\//);
  const page = await https(port, 'GET', '/grants', { cookie: session.split(';')[0]! });
  assert.equal(page.status, 200);
});

test('an unreadable certificate stops start-up with WF_ERR_CONFIG_INVALID naming the file', async () => {
  await assert.rejects(
    startHarness({ adminTls: { cert: '/nonexistent/cert.pem', key: KEY } }),
    (error) => isWfError(error, 'WF_ERR_CONFIG_INVALID') && /adminTls\.cert: cannot read \/nonexistent\/cert\.pem/.test(error.message),
  );
});
