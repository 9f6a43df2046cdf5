/**
 * The random pieces both URL-stream generators build from (mixed-stream.ts
 * for the throughput benches, squidguard-compare.ts for the peer
 * comparison): host labels, paths and keyword-heavy paths. Every draw comes
 * from the one seeded `rand` given, in a fixed order, so a seed still gives
 * the same stream.
 */
export const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ra', 'tu', 'vo', 'shi', 'ber', 'dan', 'ex', 'fli', 'gor', 'hal', 'jin', 'kor', 'lum', 'mar', 'nor', 'pel', 'quin', 'ros', 'sel', 'tam', 'ul', 'ven', 'wil', 'yor', 'zen', 'bright', 'town', 'shop', 'news'];
export const TLDS: readonly (readonly [string, number])[] = [['com', 40], ['org', 10], ['net', 8], ['co.uk', 8], ['de', 6], ['fr', 6], ['io', 4], ['gov.uk', 3], ['ac.uk', 3], ['nl', 3], ['info', 3], ['eu', 2], ['org.uk', 2], ['it', 2]];
export const SUB_LABELS = ['www', 'm', 'cdn', 'static', 'img', 'api', 'mail', 'shop', 'blog', 'fr', 'en', 'de', 'a1', 'media', 'video', 'secure', 'login'];
export const PATH_WORDS = ['news', 'images', 'static', 'api', 'v1', 'user', 'login', 'search', 'article', '2025', 'assets', 'js', 'css', 'img', 'video', 'watch', 'blog', 'post', 'tag', 'category', 'council', 'planning'];
const FILES = ['index.html', 'main.js', 'style.css', 'logo.png', 'item.php', 'view.aspx', 'feed.xml', 'photo.jpg'];
export const KEYWORDS = ['porn', 'sex', 'xxx', 'casino', 'poker', 'bet', 'nude', 'drugs', 'cannabis', 'weed', 'hack', 'crack', 'torrent', 'warez', 'dating', 'escort', 'gun', 'ammo', 'gore', 'hentai', 'camgirl', 'viagra'];

export interface RandomUrlParts {
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  weighted<T>(table: readonly (readonly [T, number])[]): T;
  /** One made-up host label (syllables, sometimes a number or a hyphen). */
  label(): string;
  /** An ordinary path with a query string now and then. */
  urlPath(): string;
  /** A path full of keywords (search, tags, percent-encoded letters, …). */
  keywordPath(): string;
}

export function randomUrlParts(rand: () => number, pathWords: readonly string[] = PATH_WORDS): RandomUrlParts {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const weighted = <T>(table: readonly (readonly [T, number])[]): T => {
    const total = table.reduce((s, [, w]) => s + w, 0);
    let r = rand() * total;
    for (const [k, w] of table) if ((r -= w) < 0) return k;
    return table[table.length - 1]![0];
  };
  const label = (): string => {
    let s = '';
    for (let i = 1 + int(3); i > 0; i--) s += pick(SYLLABLES);
    if (rand() < 0.1) s += String(int(100));
    if (rand() < 0.1) s = `${s}-${pick(SYLLABLES)}`;
    return s;
  };
  const urlPath = (): string => {
    const r = rand();
    if (r < 0.15) return '/';
    let p = '';
    for (let i = 1 + int(4); i > 0; i--) p += `/${pick(pathWords)}`;
    if (rand() < 0.5) p += `/${pick(FILES)}`;
    const q = rand();
    if (q < 0.2) p += `?id=${int(100000)}`;
    else if (q < 0.3) p += `?q=${pick(pathWords)}+${pick(pathWords)}&page=${int(20)}`;
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
  return { int, pick, weighted, label, urlPath, keywordPath };
}
