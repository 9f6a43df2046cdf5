/**
 * readIndexFile reads pieces two at a time and checksums them in file
 * order: whatever the size (empty, under one piece, several pieces and a
 * tail, not a whole number of words), the bytes are the file's and the
 * checksum is checksum() over them, in ordinary and in shared memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKSUM_FROM, checksum } from '../../src/classify/index-file.ts';
import { readIndexFile } from '../../src/lists/compiled-lists.ts';

const MiB = 1024 * 1024;

/** Bytes from a seeded generator, so a piece read into the wrong place changes the checksum. */
function seeded(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test('readIndexFile returns the file and its checksum, read in pieces two at a time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardgate-read-index-'));
  try {
    for (const [length, shared] of [[0, false], [8, false], [4100, true], [8 * MiB, false], [17 * MiB + 20, false], [25 * MiB + 4, true], [9 * MiB + 3, false]] as const) {
      const content = seeded(length, length + 1);
      const file = join(dir, `index-${length}`);
      writeFileSync(file, content);
      const { bytes, checksum: sum } = await readIndexFile(file, { shared });
      assert.ok(bytes.equals(content), `bytes of a ${length}-byte file`);
      assert.equal(bytes.buffer instanceof SharedArrayBuffer, shared);
      const hashable = length >= CHECKSUM_FROM && (length - CHECKSUM_FROM) % 4 === 0;
      assert.equal(sum, hashable ? checksum(content, CHECKSUM_FROM) : undefined, `checksum of a ${length}-byte file`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
