/**
 * A small tar writer for tests (not a test file itself): builds ustar
 * archives in memory, with GNU long-name or pax headers and ustar prefixes
 * on demand, and lays out UT1-style folders on disk.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface TarInput {
  readonly path: string;
  readonly data?: string | Buffer;
  readonly type?: 'file' | 'dir' | 'symlink';
  readonly linkName?: string;
  /** How to store a path longer than 100 bytes (default gnu). */
  readonly long?: 'gnu' | 'pax' | 'prefix';
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, flag: string, linkName = '', prefix = ''): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(1_700_000_000, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(flag, 156, 'ascii');
  block.write(linkName, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 'latin1');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length = `${length}${body}`.length;
  return `${length}${body}`;
}

/** A tar archive (uncompressed) holding `entries`, with the end-of-archive marker. */
export function makeTar(entries: readonly TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : (entry.data ?? Buffer.alloc(0));
    const flag = entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0';
    let name = entry.path;
    let prefix = '';
    if (Buffer.byteLength(name) > 100) {
      const long = entry.long ?? 'gnu';
      if (long === 'gnu') {
        const longName = Buffer.from(`${name}\0`, 'utf8');
        parts.push(header('././@LongLink', longName.length, 'L'), padded(longName));
      } else if (long === 'pax') {
        const record = Buffer.from(paxRecord('path', name), 'utf8');
        parts.push(header('PaxHeader/x', record.length, 'x'), padded(record));
      } else {
        const cut = name.lastIndexOf('/', name.length - 2);
        prefix = name.slice(0, cut);
        name = name.slice(cut + 1);
      }
      if (long !== 'prefix') name = name.slice(0, 100);
    }
    const size = flag === '0' ? data.length : 0;
    parts.push(header(name, size, flag, entry.linkName ?? '', prefix));
    if (size > 0) parts.push(padded(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function makeTarGz(entries: readonly TarInput[]): Buffer {
  return gzipSync(makeTar(entries));
}

/** A UT1-style tree: `{ 'adult/domains': 'a.test\n', 'porn': { link: 'adult' } }` below `root`. */
export function writeTree(root: string, files: Readonly<Record<string, string | Buffer | { link: string }>>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) symlinkSync(content.link, file);
    else writeFileSync(file, content);
  }
}

/** The same tree as tar entries (files and symlinks), in the order given. */
export function treeEntries(prefix: string, files: Readonly<Record<string, string | Buffer | { link: string }>>): TarInput[] {
  return Object.entries(files).map(([rel, content]) =>
    typeof content === 'object' && !Buffer.isBuffer(content)
      ? { path: `${prefix}${rel}`, type: 'symlink' as const, linkName: content.link }
      : { path: `${prefix}${rel}`, data: content },
  );
}
