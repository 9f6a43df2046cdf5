/**
 * import-writer: streams one source list file, line by line, through the
 * project's list parser (parse-list.ts) and appends every valid entry, in
 * canonical form, to the output files it maps to. Never holds a whole file:
 * UT1's adult list (4.6 million lines) goes through in chunks.
 *
 * What is written reads back as exactly the rule that was parsed (domains:
 * the canonical host; URLs: canonical host plus the path as written, see
 * UrlEntry.text), so loading the import later finds no bad line. A bad line
 * is counted, the first few are kept with `file:line` for the report, and it
 * is never fatal.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import {
  InvalidEntry,
  looksLikeHostsEntry,
  parseHostEntry,
  parseHostsEntry,
  parseUrlEntry,
  stripListComment,
} from './parse-list.ts';

/** How a file's lines are read: UT1 `domains`/`urls`, a hosts file, a plain list, or plain-or-hosts by its first entry. */
export type EntryFormat = 'domains' | 'urls' | 'hosts' | 'plain' | 'auto';

/** Where a file's entries go, as paths below the output root. */
export interface Targets {
  /** Files that receive host entries (and URL entries without a path). */
  readonly domains: readonly string[];
  /** Files that receive URL entries with a path. */
  readonly urls: readonly string[];
  /**
   * Trusted-sites target: a URL entry with a path cannot be trusted (trust is
   * per host), so those are counted as ignored instead of written.
   */
  readonly trusted: boolean;
}

export interface FileCounts {
  /** Lines read (blank and comment lines included). */
  lines: number;
  /** Entries written (a hosts line naming three hosts counts three). */
  entries: number;
  /** Lines that could not be parsed. */
  bad: number;
  /** Valid lines with nothing to import (`127.0.0.1 localhost`, a URL entry in a trusted list). */
  ignored: number;
  /** The first few bad lines, `file:line: message`. */
  readonly badSamples: string[];
}

/** Output files of one import, opened for appending on first use and kept open until closeAll(). */
export class OutputFiles {
  readonly #root: string;
  readonly #header: (rel: string) => string;
  readonly #streams = new Map<string, WriteStream>();
  readonly #written = new Set<string>();
  #error: Error | undefined;

  /** `header(rel)`: the comment lines every new file starts with. */
  constructor(root: string, header: (rel: string) => string) {
    this.#root = root;
    this.#header = header;
  }

  async #open(rel: string): Promise<WriteStream> {
    const existing = this.#streams.get(rel);
    if (existing !== undefined) return existing;
    const file = path.join(this.#root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    const stream = createWriteStream(file, { flags: 'a' });
    stream.on('error', (err) => {
      this.#error ??= err;
    });
    this.#streams.set(rel, stream);
    this.#written.add(rel);
    stream.write(this.#header(rel));
    return stream;
  }

  /** Appends `text`, waiting when the disk is behind (backpressure). */
  async write(rel: string, text: string): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    const stream = await this.#open(rel);
    if (!stream.write(text)) await once(stream, 'drain');
    if (this.#error !== undefined) throw this.#error;
  }

  /** Whether anything was written to `rel` (below the root), before or after closeAll(). */
  has(rel: string): boolean {
    return this.#written.has(rel);
  }

  /** Flushes and closes every file; throws the first write error. */
  async closeAll(): Promise<void> {
    const closing = [...this.#streams.values()].map(async (stream) => {
      if (stream.closed) return;
      stream.end();
      await once(stream, 'close').catch(() => undefined);
    });
    await Promise.all(closing);
    this.#streams.clear();
    if (this.#error !== undefined) throw this.#error;
  }
}

const MAX_SAMPLES = 3;

/** Per-line parsing state: the auto format settles on its first entry. */
interface Reader {
  format: EntryFormat;
  readonly counts: FileCounts;
  readonly label: string;
  readonly trusted: boolean;
  readonly domains: string[];
  readonly urls: string[];
}

function bad(reader: Reader, line: number, message: string): void {
  reader.counts.bad++;
  if (reader.counts.badSamples.length < MAX_SAMPLES) reader.counts.badSamples.push(`${reader.label}:${line}: ${message}`);
}

function addUrl(reader: Reader, entry: string, line: number): void {
  const url = parseUrlEntry(entry);
  if (url instanceof InvalidEntry) return bad(reader, line, url.message);
  if (url.pathPrefix === '') {
    reader.domains.push(url.text);
  } else if (reader.trusted) {
    reader.counts.ignored++;
    return;
  } else {
    reader.urls.push(url.text);
  }
  reader.counts.entries++;
}

function addHost(reader: Reader, entry: string, line: number): void {
  const host = parseHostEntry(entry);
  if (host instanceof InvalidEntry) return bad(reader, line, host.message);
  reader.domains.push(host);
  reader.counts.entries++;
}

function addLine(reader: Reader, raw: string, line: number): void {
  const entry = stripListComment(raw);
  if (entry.length === 0) return;
  if (reader.format === 'auto') reader.format = looksLikeHostsEntry(entry) ? 'hosts' : 'plain';
  switch (reader.format) {
    case 'domains':
      return addHost(reader, entry, line);
    case 'urls':
      return addUrl(reader, entry, line);
    case 'plain':
      // A plain list is hosts, but a line with a path is a URL prefix (TEQSA's list has one).
      return entry.includes('/') ? addUrl(reader, entry, line) : addHost(reader, entry, line);
    case 'hosts': {
      const hosts = parseHostsEntry(entry);
      if (hosts instanceof InvalidEntry) return bad(reader, line, hosts.message);
      if (hosts.length === 0) reader.counts.ignored++;
      for (const host of hosts) reader.domains.push(host);
      reader.counts.entries += hosts.length;
      return;
    }
  }
}

async function flush(reader: Reader, targets: Targets, out: OutputFiles): Promise<void> {
  if (reader.domains.length > 0) {
    const text = `${reader.domains.join('\n')}\n`;
    for (const rel of targets.domains) await out.write(rel, text);
    reader.domains.length = 0;
  }
  if (reader.urls.length > 0) {
    const text = `${reader.urls.join('\n')}\n`;
    for (const rel of targets.urls) await out.write(rel, text);
    reader.urls.length = 0;
  }
}

/**
 * Reads `body` (decompressed text) as `format` and appends its entries to
 * `targets`. `label` names the file in bad-line samples (`blacklists/adult/domains`).
 */
export async function importListFile(body: AsyncIterable<Buffer>, label: string, format: EntryFormat, targets: Targets, out: OutputFiles): Promise<FileCounts> {
  const counts: FileCounts = { lines: 0, entries: 0, bad: 0, ignored: 0, badSamples: [] };
  const reader: Reader = { format, counts, label, trusted: targets.trusted, domains: [], urls: [] };
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let first = true;
  for await (const chunk of body) {
    let text = carry + decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      addLine(reader, text.slice(start, end), ++counts.lines);
      start = end + 1;
    }
    carry = text.slice(start);
    await flush(reader, targets, out);
  }
  const last = carry + decoder.end();
  if (last.length > 0) addLine(reader, last, ++counts.lines);
  await flush(reader, targets, out);
  return counts;
}
