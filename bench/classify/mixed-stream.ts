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

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ra', 'tu', 'vo', 'shi', 'ber', 'dan', 'ex', 'fli', 'gor', 'hal', 'jin', 'kor', 'lum', 'mar', 'nor', 'pel', 'quin', 'ros', 'sel', 'tam', 'ul', 'ven', 'wil', 'yor', 'zen', 'bright', 'town', 'shop', 'news'];
const TLDS: readonly (readonly [string, number])[] = [['com', 40], ['org', 10], ['net', 8], ['co.uk', 8], ['de', 6], ['fr', 6], ['io', 4], ['gov.uk', 3], ['ac.uk', 3], ['nl', 3], ['info', 3], ['eu', 2], ['org.uk', 2], ['it', 2]];
const SUB_LABELS = ['www', 'm', 'cdn', 'static', 'img', 'api', 'mail', 'shop', 'blog', 'fr', 'en', 'de', 'a1', 'media', 'video', 'secure', 'login'];
const PATH_WORDS = ['news', 'images', 'static', 'api', 'v1', 'user', 'login', 'search', 'article', '2025', 'assets', 'js', 'css', 'img', 'video', 'watch', 'blog', 'post', 'tag', 'category', 'council', 'planning', 'essex', 'middlesex', 'scunthorpe'];
const FILES = ['index.html', 'main.js', 'style.css', 'logo.png', 'item.php', 'view.aspx', 'feed.xml', 'photo.jpg'];
const KEYWORDS = ['porn', 'sex', 'xxx', 'casino', 'poker', 'bet', 'nude', 'drugs', 'cannabis', 'weed', 'hack', 'crack', 'torrent', 'warez', 'dating', 'escort', 'gun', 'ammo', 'gore', 'hentai', 'camgirl', 'viagra'];
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

interface Site {
  readonly kind: StreamKind;
  /** scheme://host[:port], or for url-entry the whole entry URL. */
  readonly origin: string;
}

export function mixedStream(lists: StreamLists, options: MixedStreamOptions): MixedStream {
  const rand = mulberry32(options.seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const weighted = <T>(table: readonly (readonly [T, number])[]): T => {
    const total = table.reduce((s, [, w]) => s + w, 0);
    let r = rand() * total;
    for (const [k, w] of table) if ((r -= w) < 0) return k;
    return table[table.length - 1]![0];
  };
  const nonEmpty = lists.domains.filter((d) => d.length > 0);
  const listedIps = nonEmpty.flatMap((d) => d.filter((h) => IPV4.test(h)));
  const label = (): string => {
    let s = '';
    for (let i = 1 + int(3); i > 0; i--) s += pick(SYLLABLES);
    if (rand() < 0.1) s += String(int(100));
    if (rand() < 0.1) s = `${s}-${pick(SYLLABLES)}`;
    return s;
  };
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

  const urlPath = (): string => {
    const r = rand();
    if (r < 0.15) return '/';
    let p = '';
    for (let i = 1 + int(4); i > 0; i--) p += `/${pick(PATH_WORDS)}`;
    if (rand() < 0.5) p += `/${pick(FILES)}`;
    const q = rand();
    if (q < 0.2) p += `?id=${int(100000)}`;
    else if (q < 0.3) p += `?q=${pick(PATH_WORDS)}+${pick(PATH_WORDS)}&page=${int(20)}`;
    else if (q < 0.35) p += `?utm_source=newsletter&utm_medium=email&token=${int(1e9).toString(36)}`;
    return p;
  };
  const keywordPath = (): string => {
    const k = (): string => pick(KEYWORDS);
    switch (int(5)) {
      case 0:
        return `/search?q=free+${k()}+${k()}+videos&safe=off`;
      case 1:
        return `/tags/${k()}-${k()}-${k()}/page/${int(50)}`;
      case 2: // percent-encoded letters: "%70orn"
        return `/${k().replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}/${k().toUpperCase()}.html`;
      case 3:
        return `/${k()}/${k()}/${k()}?ref=${k()}&${k()}=1`;
      default:
        return `/best-${k()}-${k()}-sites-${2020 + int(6)}.html`;
    }
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
