/**
 * mixed-stream: the seeded "realistic mixed URL stream" the classification
 * benchmarks share (classify-throughput, classify-stdin): listed hosts (bare,
 * `www.`, one subdomain, deep subdomains), unlisted hosts (shallow and deep),
 * listed and random IPv4 literals, URL-list entries (hosts with URL-prefix
 * rules, with and without extra path), and keyword-heavy paths, with ordinary
 * paths and queries elsewhere, 3% upper-case hosts and 2% explicit ports.
 *
 * Browsing revisits hosts, so URLs are drawn per *site*: a pool of sites
 * (host + kind) is generated first and each URL picks one with a skew
 * (rand()² over the pool: the first tenth of the pool gets ~30% of the URLs)
 * and a fresh path. That is what makes a per-host cache hit; the ratio of
 * URLs to sites (`urlsPerSite`) sets how often.
 *
 * `isListed(host)` keeps the unlisted kinds unlisted (the benches pass a
 * classifier-backed check), so a "miss" really misses the domain index.
 */
import { mulberry32 } from '../../test/helpers/prng.ts';
import { PATH_WORDS, randomUrlParts, SUB_LABELS, TLDS } from './random-url-parts.ts';

export interface StreamLists {
  /** Listed domains (canonical), by list; the first list is drawn 60% of the time (UT1 adult). */
  readonly domains: readonly (readonly string[])[];
  /** URL-list entries as written (`host/path`, optionally with a scheme). */
  readonly urls: readonly string[];
}

export type StreamKind =
  | 'hit'
  | 'hit-www'
  | 'hit-sub'
  | 'hit-deep'
  | 'url-entry'
  | 'miss'
  | 'miss-deep'
  | 'ip-listed'
  | 'ip-random'
  | 'keywords';

export const STREAM_KINDS: readonly (readonly [StreamKind, number])[] = [
  ['hit', 18],
  ['hit-www', 5],
  ['hit-sub', 12],
  ['hit-deep', 5],
  ['url-entry', 5],
  ['miss', 33],
  ['miss-deep', 5],
  ['ip-listed', 2.5],
  ['ip-random', 2.5],
  ['keywords', 12],
];

export interface MixedStream {
  readonly urls: string[];
  readonly kinds: StreamKind[];
  /** Distinct sites drawn from (an upper bound on distinct hosts). */
  readonly sites: number;
  readonly kindCounts: Record<string, number>;
}

export interface MixedStreamOptions {
  readonly n: number;
  readonly seed: number;
  /** URLs per site on average (default 5). */
  readonly urlsPerSite?: number;
  /** Whether a host is covered by a domain rule (keeps misses misses). */
  readonly isListed: (host: string) => boolean;
}

// The bench stream's paths also name UK places that contain blocked words (the exceptions list).
const STREAM_PATH_WORDS = [...PATH_WORDS, 'essex', 'middlesex', 'scunthorpe'];
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

interface Site {
  readonly kind: StreamKind;
  /** scheme://host[:port], or for url-entry the whole entry URL. */
  readonly origin: string;
}

export function mixedStream(lists: StreamLists, options: MixedStreamOptions): MixedStream {
  const rand = mulberry32(options.seed);
  const { int, pick, weighted, label, urlPath, keywordPath } = randomUrlParts(rand, STREAM_PATH_WORDS);
  const nonEmpty = lists.domains.filter((d) => d.length > 0);
  const listedIps = nonEmpty.flatMap((d) => d.filter((h) => IPV4.test(h)));
  const listedDomain = (): string => {
    if (nonEmpty.length === 0) return missHost(false);
    return rand() < 0.6 ? pick(nonEmpty[0]!) : pick(pick(nonEmpty));
  };
  const missHost = (deep: boolean): string => {
    for (let i = 0; i < 10; i++) {
      let h = `${label()}.${weighted(TLDS)}`;
      if (deep) for (let k = 3 + int(5); k > 0; k--) h = `${rand() < 0.5 ? pick(SUB_LABELS) : label()}.${h}`;
      else if (rand() < 0.5) h = `www.${h}`;
      if (!options.isListed(h)) return h;
    }
    return `unlisted-${int(1e9)}.example`;
  };
  const sub = (): string => (rand() < 0.5 ? pick(SUB_LABELS) : label());

  const siteOf = (kind: StreamKind): Site => {
    let host: string;
    switch (kind) {
      case 'hit':
        host = listedDomain();
        break;
      case 'hit-www': {
        const d = listedDomain();
        host = d.startsWith('www.') || IPV4.test(d) ? d : `www.${d}`;
        break;
      }
      case 'hit-sub': {
        const d = listedDomain();
        host = IPV4.test(d) ? d : `${sub()}.${d}`;
        break;
      }
      case 'hit-deep':
        host = listedDomain();
        if (!IPV4.test(host)) for (let k = 3 + int(4); k > 0; k--) host = `${sub()}.${host}`;
        break;
      case 'url-entry':
        if (lists.urls.length > 0) return { kind, origin: `http://${pick(lists.urls).replace(/^[a-z]+:\/\//i, '')}` };
        host = missHost(false);
        break;
      case 'miss':
      case 'keywords':
        host = missHost(false);
        break;
      case 'miss-deep':
        host = missHost(true);
        break;
      case 'ip-listed':
        host = listedIps.length > 0 ? pick(listedIps) : missHost(false);
        break;
      case 'ip-random':
        host = '';
        for (let i = 0; i < 10 && (host === '' || options.isListed(host)); i++) host = `${1 + int(223)}.${int(256)}.${int(256)}.${1 + int(254)}`;
        break;
    }
    if (rand() < 0.03) host = rand() < 0.5 ? host.toUpperCase() : host.replace(/^./, (c) => c.toUpperCase());
    const scheme = rand() < 0.7 ? 'https' : 'http';
    const port = rand() < 0.02 ? (scheme === 'http' ? ':8080' : ':8443') : '';
    return { kind, origin: `${scheme}://${host}${port}` };
  };

  const urlOf = (site: Site): string => {
    if (site.kind === 'url-entry') {
      const e = site.origin;
      const extra = int(3);
      return extra === 0 ? e : extra === 1 ? `${e}${e.includes('?') ? '&x=1' : e.endsWith('/') ? 'page.html' : '/page.html'}` : `${e.replace(/^(https?:\/\/[^/]*).*$/, '$1')}${urlPath()}`;
    }
    return `${site.origin}${site.kind === 'keywords' ? keywordPath() : urlPath()}`;
  };

  const siteCount = Math.max(1, Math.round(options.n / (options.urlsPerSite ?? 5)));
  const sites: Site[] = [];
  for (let i = 0; i < siteCount; i++) sites.push(siteOf(weighted(STREAM_KINDS)));
  const urls: string[] = new Array<string>(options.n);
  const kinds: StreamKind[] = new Array<StreamKind>(options.n);
  const kindCounts: Record<string, number> = {};
  for (let i = 0; i < options.n; i++) {
    const r = rand();
    const site = sites[Math.floor(r * r * siteCount)]!;
    urls[i] = urlOf(site);
    kinds[i] = site.kind;
    kindCounts[site.kind] = (kindCounts[site.kind] ?? 0) + 1;
  }
  return { urls, kinds, sites: siteCount, kindCounts };
}
