/** The `lists` key: sources for `wardgate lists update`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { parseConfig, parseConfigLayer } from '../../src/config/parse-config.ts';

function problemsOf(raw: unknown): readonly string[] {
  return parseConfigLayer(raw, 'test.json').problems;
}

test('no sources by default; a valid list is kept as written, local paths resolved against baseDir', () => {
  assert.deepEqual(DEFAULTS.lists, { sources: [], whenUnavailable: 'refuse-start' });
  const config = parseConfig(
    {
      lists: {
        sources: [
          { name: 'ut1', source: 'https://dsi.ut-capitole.fr/blacklists/download/blacklists.tar.gz' },
          { name: 'snuff', source: 'lists/snuff-hosts.gz', format: 'hosts', categories: ['murder-suicide', 'tasteless'] },
          { name: 'local.squid', source: '/srv/squidguard', format: 'squidguard', map: 'maps/squid.json' },
        ],
      },
    },
    '/etc/wardgate/config.json',
    { baseDir: '/etc/wardgate' },
  );
  assert.deepEqual(config.lists.sources, [
    { name: 'ut1', source: 'https://dsi.ut-capitole.fr/blacklists/download/blacklists.tar.gz' },
    { name: 'snuff', source: '/etc/wardgate/lists/snuff-hosts.gz', format: 'hosts', categories: ['murder-suicide', 'tasteless'] },
    { name: 'local.squid', source: '/srv/squidguard', format: 'squidguard', map: '/etc/wardgate/maps/squid.json' },
  ]);
  assert.ok(Object.isFrozen(config.lists.sources[1]!.categories));
});

test('a layer\'s lists replace the base\'s whole', () => {
  const base = parseConfig({ lists: { sources: [{ name: 'a', source: '/a' }] } }, 'base');
  const next = parseConfig({ lists: { sources: [{ name: 'b', source: '/b' }] } }, 'next', { base });
  assert.deepEqual(next.lists.sources.map((s) => s.name), ['b']);
  assert.deepEqual(parseConfig({ lists: { sources: [] } }, 'empty', { base }).lists.sources, []);
});

const rejected: [string, unknown, string[]][] = [
  ['lists not an object', { lists: [] }, ['test.json: lists: expected an object, got an array']],
  ['unknown key under lists', { lists: { source: [] } }, ['test.json: lists.source: unknown key (did you mean lists.sources?)']],
  [
    'bad name, missing source, unknown format',
    { lists: { sources: [{ name: 'UT 1', format: 'csv' }] } },
    [
      'test.json: lists.sources[0].name: must be lower-case letters, digits, ".", "_" and "-" (up to 64, starting with a letter or digit), got "UT 1"',
      'test.json: lists.sources[0].source: expected a string, got undefined',
      'test.json: lists.sources[0].format: must be one of ut1, squidguard, hosts, plain, got "csv"',
    ],
  ],
  ['a broken URL', { lists: { sources: [{ name: 'x', source: 'https://' }] } }, ['test.json: lists.sources[0].source: "https://" is not a valid URL']],
  ['a misspelt source key', { lists: { sources: [{ name: 'x', source: '/x', catgories: ['chat'] }] } }, ['test.json: lists.sources[0].catgories: unknown key (did you mean lists.sources[0].categories?)']],
  ['unknown category', { lists: { sources: [{ name: 'x', source: '/x', categories: ['porn'] }] } }, ['test.json: lists.sources[0].categories[0]: unknown category id "porn" (did you mean pornography?)']],
  ['empty categories', { lists: { sources: [{ name: 'x', source: '/x', categories: [] }] } }, ['test.json: lists.sources[0].categories: name at least one category, or leave the key out']],
  ['a hosts list with neither categories nor map', { lists: { sources: [{ name: 'x', source: '/x', format: 'hosts' }] } }, ['test.json: lists.sources[0].categories: a hosts list needs categories (the council categories its entries block) or a map']],
  ['map and categories', { lists: { sources: [{ name: 'x', source: '/x', map: 'm.json', categories: ['chat'] }] } }, ['test.json: lists.sources[0].categories: give map or categories, not both']],
  ['duplicate names', { lists: { sources: [{ name: 'x', source: '/x' }, { name: 'x', source: '/y' }] } }, ['test.json: lists.sources[1]: duplicate name x (first at index 0)']],
];

for (const [name, raw, expected] of rejected) {
  test(`lists rejects: ${name}`, () => {
    assert.deepEqual([...problemsOf(raw)].sort(), [...expected].sort());
  });
}

test('lists.whenUnavailable: refuse-start by default, block-all when set, anything else named', () => {
  assert.equal(parseConfig({ lists: { whenUnavailable: 'block-all' } }, 'test.json').lists.whenUnavailable, 'block-all');
  assert.deepEqual(parseConfig({ lists: { whenUnavailable: 'block-all' } }, 'test.json').lists.sources, [], 'sources keep their default');
  assert.throws(() => parseConfig({ lists: { whenUnavailable: 'allow-all' } }, 'test.json'), /lists\.whenUnavailable: must be one of refuse-start, block-all, got "allow-all"/);
});
