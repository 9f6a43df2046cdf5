/**
 * A tiny browser stand-in for admin UI tests: fetch with cookies kept by
 * hand (name → value, from Set-Cookie), no redirects followed, and the CSRF
 * token read from the last page's forms.
 */
import assert from 'node:assert/strict';
import { hashPassword } from '../../src/directory/password.ts';
import { StaffStore } from '../../src/grants/staff-store.ts';
import type { StaffRole } from '../../src/grants/grant-rules.ts';
import { openDatabase } from '../../src/store/database.ts';

export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Set-Cookie lines of this response. */
  readonly setCookies: readonly string[];
}

export class AdminClient {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  lastCsrf: string | null = null;

  constructor(base: string) {
    this.base = base;
  }

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Page> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: { ...(cookie === '' ? {} : { cookie }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(10_000),
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = value === '' || attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text);
    if (csrf !== null) this.lastCsrf = csrf[1]!;
    return { status: res.status, headers: res.headers, text, setCookies };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** Posts a form; the CSRF token of the last page is added unless `_csrf` is given (null: left out). */
  post(path: string, fields: Record<string, string | null> = {}): Promise<Page> {
    const body = new URLSearchParams();
    const withToken: Record<string, string | null> = { _csrf: this.lastCsrf, ...fields };
    for (const [k, v] of Object.entries(withToken)) if (v !== null) body.set(k, v);
    return this.request('POST', path, { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  async signIn(user: string, password: string): Promise<Page> {
    await this.get('/login');
    return this.post('/login', { user, password });
  }
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

export async function api(base: string, token: string | null, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers };
}

export const STAFF_PASSWORD = 'a long staff password';

/** Adds staff accounts straight into the store (as `wardgate users add` would). */
export async function addStaff(dataDir: string, accounts: readonly { id: string; role: StaffRole; groupId?: string; memberId?: string }[]): Promise<void> {
  const hash = await hashPassword(STAFF_PASSWORD);
  const db = openDatabase(dataDir);
  try {
    const store = new StaffStore(db);
    for (const a of accounts) store.add({ id: a.id, role: a.role, groupId: a.groupId ?? null, memberId: a.memberId ?? null, passwordHash: hash }, 'cli:test');
  } finally {
    db.close();
  }
}

export function assertNoRawScript(text: string): void {
  assert.ok(!/<script/i.test(text), 'no <script> element on the page');
}

/**
 * Polls `get` until it answers `want` or `ms` pass (every 25 ms: bounded to
 * ms/25 + 1 tries), for changes the running proxy must pick up "within 1 s".
 */
export async function statusWithin(ms: number, want: number, get: () => Promise<number>): Promise<{ status: number; tries: number }> {
  const deadline = Date.now() + ms;
  let tries = 1;
  let status = await get();
  while (status !== want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    status = await get();
    tries++;
  }
  return { status, tries };
}
