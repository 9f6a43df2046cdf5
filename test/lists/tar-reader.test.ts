import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWfError } from '../../src/errors.ts';
import { looksLikeTar, readTar, type TarEntry } from '../../src/lists/tar-reader.ts';
import { makeTar } from './tar-fixtures.ts';

/** Feeds `data` in chunks of `size` bytes, to cross every boundary. */
async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(data: Buffer, chunkSize = 97, read: (e: TarEntry) => boolean = () => true): Promise<{ path: string; type: string; text: string; linkName: string }[]> {
  const out = [];
  for await (const entry of readTar(chunks(data, chunkSize))) {
    let text = '';
    if (read(entry)) for await (const c of entry.body) text += c.toString('utf8');
    out.push({ path: entry.path, type: entry.type, text, linkName: entry.linkName });
  }
  return out;
}

const LONG = `blacklists/${'very-long-folder-name/'.repeat(6)}domains`;

test('files, folders and symlinks come out in order with their data, across any chunking', async () => {
  const archive = makeTar([
    { path: 'blacklists/', type: 'dir' },
    { path: 'blacklists/adult/domains', data: 'a.test\nb.test\n' },
    { path: 'blacklists/porn', type: 'symlink', linkName: 'adult' },
    { path: 'blacklists/empty', data: '' },
    { path: 'blacklists/big', data: 'x'.repeat(1500) },
  ]);
  for (const size of [1, 7, 512, 100_000]) {
    assert.deepEqual(await readAll(archive, size), [
      { path: 'blacklists/', type: 'directory', text: '', linkName: '' },
      { path: 'blacklists/adult/domains', type: 'file', text: 'a.test\nb.test\n', linkName: '' },
      { path: 'blacklists/porn', type: 'symlink', text: '', linkName: 'adult' },
      { path: 'blacklists/empty', type: 'file', text: '', linkName: '' },
      { path: 'blacklists/big', type: 'file', text: 'x'.repeat(1500), linkName: '' },
    ], `chunks of ${size}`);
  }
});

test('long names: GNU long-name headers, pax headers and ustar prefixes', async () => {
  for (const long of ['gnu', 'pax', 'prefix'] as const) {
    const entries = await readAll(makeTar([{ path: LONG, data: 'z.test\n', long }, { path: 'after', data: 'ok' }]));
    assert.deepEqual(entries.map((e) => [e.path, e.text]), [[LONG, 'z.test\n'], ['after', 'ok']], long);
  }
});

test('a body left unread, or read in part, is skipped before the next entry', async () => {
  const archive = makeTar([{ path: 'a', data: 'A'.repeat(3000) }, { path: 'b', data: 'B'.repeat(700) }, { path: 'c', data: 'see' }]);
  const seen: string[] = [];
  for await (const entry of readTar(chunks(archive, 300))) {
    if (entry.path === 'b') {
      for await (const c of entry.body) {
        seen.push(`b:${c.length}`);
        break;
      }
    } else if (entry.path === 'c') {
      for await (const c of entry.body) seen.push(`c:${c.toString()}`);
    }
  }
  assert.deepEqual(seen.at(-1), 'c:see');
});

test('a bad checksum, a cut-short archive and a non-archive are WF_ERR_LIST_INVALID', async () => {
  const archive = makeTar([{ path: 'a', data: 'hello' }, { path: 'b', data: 'x'.repeat(2000) }]);
  const corrupt = Buffer.from(archive);
  corrupt[5] = 0x41; // a byte of the first header's name, so its checksum no longer matches
  await assert.rejects(readAll(corrupt), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && /checksum/.test(err.message));
  await assert.rejects(readAll(archive.subarray(0, 512 + 512 + 512 + 1000)), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && /ends in the middle of entry 2/.test(err.message));
  await assert.rejects(readAll(archive.subarray(0, 700)), (err) => isWfError(err, 'WF_ERR_LIST_INVALID') && /ends in the middle/.test(err.message));
  await assert.rejects(readAll(Buffer.from('<html>not found</html>'.padEnd(600, ' '))), (err) => isWfError(err, 'WF_ERR_LIST_INVALID'));
  assert.equal(looksLikeTar(archive.subarray(0, 512)), true);
  assert.equal(looksLikeTar(Buffer.alloc(512, 0x61)), false);
});

test('an archive that ends without its end marker ends cleanly at an entry boundary', async () => {
  const archive = makeTar([{ path: 'a', data: 'one' }]);
  assert.deepEqual((await readAll(archive.subarray(0, 1024))).map((e) => e.text), ['one']);
});
