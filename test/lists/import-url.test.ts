/**
 * URL sources: downloaded (src/cli/lists-download.ts) from a server on
 * 127.0.0.1, then imported. A 404, a cut-short download or a truncated gzip
 * is a clear error and the lists imported before stay in place.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDownloader } from '../../src/cli/lists-download.ts';
import { isWfError } from '../../src/errors.ts';
import { importLists, type ImportRequest } from '../../src/lists/import-lists.ts';
import { makeTarGz } from './tar-fixtures.ts';

const ARCHIVE = makeTarGz([{ path: 'blacklists/chat/domains', data: 'chat-one.test\nchat-two.test\n' }, { path: 'blacklists/drogue/urls', data: 'drugs.test/buy/\n' }]);
const SECOND = makeTarGz([{ path: 'blacklists/chat/domains', data: 'chat-three.test\n' }]);

async function startListServer(t: TestContext): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/ut1.tar.gz' || path === '/second.tar.gz') {
      const body = path === '/ut1.tar.gz' ? ARCHIVE : SECOND;
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      res.end(body);
    } else if (path === '/moved') {
      res.writeHead(302, { location: '/ut1.tar.gz' });
      res.end();
    } else if (path === '/truncated.tar.gz') {
      // A complete HTTP response whose content is a cut-short gzip file (a broken mirror).
      const body = ARCHIVE.subarray(0, ARCHIVE.length - 20);
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else if (path === '/cut.tar.gz') {
      // Announces the whole archive, sends half, then drops the connection.
      res.writeHead(200, { 'content-length': ARCHIVE.length });
      res.write(ARCHIVE.subarray(0, 40), () => res.socket?.destroy());
    } else if (path === '/huge.tar.gz') {
      res.writeHead(200, { 'content-length': 10 * 2 ** 20 });
      res.end();
    } else if (path === '/porn-hosts') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('0.0.0.0 hosts-porn.test\n');
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function setup(t: TestContext) {
  const root = mkdtempSync(join(tmpdir(), 'wardgate-url-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const download = createDownloader({ env: {}, maxBytes: 2 ** 20, idleTimeoutMs: 5_000 });
  const request = (source: string, extra: Partial<ImportRequest> = {}): ImportRequest => ({
    name: 'ut1',
    sources: [source],
    place: { name: 'ut1', into: join(root, 'imported/ut1'), versionsDir: join(root, 'versions') },
    download,
    ...extra,
  });
  const chat = () => readFileSync(join(root, 'imported/ut1/chat/chat/domains'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return { root, request, chat };
}

test('an archive is downloaded (following a redirect), imported and its temporary file removed', async (t) => {
  const { base } = await startListServer(t);
  const { root, request, chat } = setup(t);
  const result = await importLists(request(`${base}/moved`));
  assert.deepEqual(chat(), ['chat-one.test', 'chat-two.test']);
  assert.equal(result.totals.entries, 3);
  assert.equal(result.files[0]!.source, `${base}/moved`);
  assert.deepEqual(readdirSync(join(root, 'versions')).filter((n) => n.startsWith('.')), [], 'no download or work folder left behind');
});

test('a 404, a cut-short download, a truncated gzip or an oversized file fails clearly and keeps the old lists', async (t) => {
  const { base } = await startListServer(t);
  const { request, chat } = setup(t);
  await importLists(request(`${base}/ut1.tar.gz`));
  const cases: [string, RegExp][] = [
    ['/missing.tar.gz', /download of .*\/missing\.tar\.gz failed: the server answered HTTP 404/],
    ['/cut.tar.gz', /download of .*\/cut\.tar\.gz failed: .*(closed the connection|cut short)/],
    ['/truncated.tar.gz', /truncated\.tar\.gz is not a complete gzip file: it ends too soon/],
    ['/huge.tar.gz', /is 10\.0 MiB, more than the 1\.0 MiB allowed/],
  ];
  for (const [path, message] of cases) {
    await assert.rejects(importLists(request(`${base}${path}`)), (err) => {
      assert.ok(isWfError(err, 'WF_ERR_LIST_INVALID'), String(err));
      assert.match(err.message, message);
      assert.match(err.message, /the lists imported before stay in use$/);
      return true;
    }, path);
    assert.deepEqual(chat(), ['chat-one.test', 'chat-two.test'], `after ${path}`);
  }
  await importLists(request(`${base}/second.tar.gz`));
  assert.deepEqual(chat(), ['chat-three.test']);
});

test('a downloaded single list takes its name from the URL; a refused connection is named', async (t) => {
  const { base } = await startListServer(t);
  const { root, request } = setup(t);
  await importLists(request(`${base}/porn-hosts`, { name: 'hosts', categories: ['pornography'], place: { name: 'hosts', into: join(root, 'imported/hosts'), versionsDir: join(root, 'versions') } }));
  assert.match(readFileSync(join(root, 'imported/hosts/pornography/porn-hosts/domains'), 'utf8'), /^hosts-porn\.test$/m);

  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(importLists(request(`http://127.0.0.1:${port}/x.tar.gz`)), (err) => isWfError(err) && /refused the connection/.test(err.message));
  await assert.rejects(importLists(request(`http://user:secret@127.0.0.1:${port}/x.tar.gz`)), (err) => isWfError(err) && !err.message.includes('secret'));
});

test('on a terminal the download draws a progress bar on one line; elsewhere it stays silent', async (t) => {
  const { base } = await startListServer(t);
  const { root } = setup(t);
  const terminal = Object.assign(new PassThrough(), { isTTY: true });
  let drawn = '';
  terminal.on('data', (c: Buffer) => (drawn += c.toString()));
  await createDownloader({ env: {}, progress: terminal })(`${base}/ut1.tar.gz`, join(root, 'a.tar.gz'));
  assert.match(drawn, /^\rdownloading http:\/\/127\.0\.0\.1:\d+\/ut1\.tar\.gz {2}\[#{20}\] 100% {2}0\.0 MiB \/ 0\.0 MiB\n$/);

  const pipe = new PassThrough();
  let written = '';
  pipe.on('data', (c: Buffer) => (written += c.toString()));
  await createDownloader({ env: {}, progress: pipe })(`${base}/ut1.tar.gz`, join(root, 'b.tar.gz'));
  assert.equal(written, '');
  assert.deepEqual(readFileSync(join(root, 'b.tar.gz')), ARCHIVE);
});
