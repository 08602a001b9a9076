import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigCache } from '../../../src/config/config-cache.ts';
import type { KubeObject } from '../../../src/kube/kube-object.ts';

function cache(ignoreNamespace?: (ns: string) => boolean): {
  cache: ConfigCache;
  changes: string[];
  invalid: string[];
  notBooleans: string[];
} {
  const changes: string[] = [];
  const invalid: string[] = [];
  const notBooleans: string[] = [];
  const c = new ConfigCache({
    enabledLabel: 'mini-reloader.pelabs/enabled',
    ignoreAnnotation: 'reloader.stakater.com/ignore',
    matchAnnotation: 'reloader.stakater.com/match',
    onChange: (kind, ns, name) => {
      changes.push(`${kind}/${ns}/${name}`);
    },
    onInvalid: (kind, ns, name, err) => {
      invalid.push(`${kind}/${ns}/${name}: ${err.message}`);
    },
    onNotBoolean: (kind, ns, name, field, value) => {
      notBooleans.push(`${kind}/${ns}/${name} ${field}=${value}`);
    },
    ...(ignoreNamespace === undefined ? {} : { ignoreNamespace }),
  });
  return { cache: c, changes, invalid, notBooleans };
}

const cm = (
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
  ns = 'ns',
): KubeObject => ({ metadata: { name, namespace: ns, labels }, data });

test('content changes are reported; a labels-only edit is not', () => {
  const { cache: c, changes } = cache();
  const h = c.handlers('ConfigMap');
  h.upsert(cm('app', { a: '1' }));
  h.upsert(cm('app', { a: '1' }, { team: 'x' }));
  h.upsert(cm('app', { a: '2' }, { team: 'x' }));
  assert.deepEqual(changes, ['ConfigMap/ns/app', 'ConfigMap/ns/app']);
});

test('gaining the enabled label is a change: the object now steers rolls', () => {
  const { cache: c, changes } = cache();
  const h = c.handlers('ConfigMap');
  h.upsert(cm('app', { a: '1' }));
  h.upsert(cm('app', { a: '1' }, { 'mini-reloader.pelabs/enabled': 'true' }));
  assert.equal(changes.length, 2);
  assert.equal(c.get('ConfigMap', 'ns', 'app')?.enabled, true);
});

test('the cache keeps digests, never values', () => {
  const { cache: c } = cache();
  c.handlers('Secret').upsert({
    metadata: { name: 's', namespace: 'ns' },
    data: { password: Buffer.from('hunter2').toString('base64') },
  });
  const entry = c.get('Secret', 'ns', 's');
  assert.ok(entry);
  const stored = JSON.stringify([...entry.digests]);
  assert.ok(!stored.includes('hunter2') && !stored.includes(Buffer.from('hunter2').toString('base64')));
  assert.equal(c.size('Secret'), 1);
});

test('a relist removes exactly the objects of its scope it did not see', () => {
  const { cache: c, changes } = cache();
  const all = c.handlers('ConfigMap');
  all.upsert(cm('keep', { a: '1' }, {}, 'one'));
  all.upsert(cm('gone', { a: '1' }, {}, 'one'));
  all.upsert(cm('other-ns', { a: '1' }, {}, 'two'));
  c.handlers('Secret').upsert({ metadata: { name: 'gone', namespace: 'one' }, data: {} });
  changes.length = 0;

  const one = c.handlers('ConfigMap', 'one');
  one.listStarted();
  one.upsert(cm('keep', { a: '1' }, {}, 'one'));
  one.listFinished();
  assert.deepEqual(changes, ['ConfigMap/one/gone']);
  assert.ok(c.get('ConfigMap', 'two', 'other-ns'), "another namespace is out of that list's scope");
  assert.ok(c.get('Secret', 'one', 'gone'), "another kind is out of that list's scope");
  assert.deepEqual([...c.names('ConfigMap', 'one')], ['keep']);
});

test('an object that cannot be digested keeps its last good state and is reported by name and field', () => {
  const { cache: c, invalid, changes } = cache();
  const h = c.handlers('Secret');
  h.upsert({ metadata: { name: 's', namespace: 'ns' }, data: { k: Buffer.from('v').toString('base64') } });
  h.upsert({ metadata: { name: 's', namespace: 'ns' }, data: { k: 'not base64!' } });
  assert.equal(changes.length, 1);
  assert.equal(invalid.length, 1);
  assert.match(invalid[0] ?? '', /Secret\/ns\/s: .*data.*"k"/);
  assert.ok(c.get('Secret', 'ns', 's'));
});

test('objects in excluded namespaces are not kept, and leave when their namespace is excluded', () => {
  let excluded = new Set(['kube-system']);
  const { cache: c } = cache((ns) => excluded.has(ns));
  const h = c.handlers('ConfigMap');
  h.upsert(cm('a', { k: 'v' }, {}, 'kube-system'));
  h.upsert(cm('b', { k: 'v' }, {}, 'apps'));
  assert.equal(c.get('ConfigMap', 'kube-system', 'a'), undefined);
  excluded = new Set(['apps']);
  h.upsert(cm('b', { k: 'v' }, {}, 'apps'));
  assert.equal(c.get('ConfigMap', 'apps', 'b'), undefined);
  assert.equal(c.size('ConfigMap'), 0);
});

test("the enabled label, ignore and match read as Go's strconv.ParseBool", () => {
  const { cache: c, notBooleans } = cache();
  const h = c.handlers('ConfigMap');
  const steering = (value: string): KubeObject => ({
    metadata: {
      name: 'app',
      namespace: 'ns',
      labels: { 'mini-reloader.pelabs/enabled': value },
      annotations: { 'reloader.stakater.com/ignore': value, 'reloader.stakater.com/match': value },
    },
    data: {},
  });
  for (const [value, expected] of [
    ['TRUE', true],
    ['1', true],
    ['T', true],
    ['False', false],
    ['yes', false],
    ['tRUE', false],
  ] as const) {
    h.upsert(steering(value));
    const entry = c.get('ConfigMap', 'ns', 'app');
    assert.deepEqual([entry?.enabled, entry?.ignored, entry?.match], [expected, expected, expected], value);
  }
  const fields = ['mini-reloader.pelabs/enabled', 'reloader.stakater.com/ignore', 'reloader.stakater.com/match'];
  assert.deepEqual(
    notBooleans,
    ['yes', 'tRUE'].flatMap((v) => fields.map((f) => `ConfigMap/ns/app ${f}=${v}`)),
    'each value that is no boolean is told, by field',
  );
});

test('the uid keys the entry: a new object under the same name is a change, and the uid it replaced is remembered', () => {
  const { cache: c, changes } = cache();
  const h = c.handlers('Secret');
  const secret = (uid: string): KubeObject => ({ metadata: { name: 'db', namespace: 'ns', uid }, data: { p: 'MQ==' } });
  h.upsert(secret('u1'));
  assert.equal(c.get('Secret', 'ns', 'db')?.uid, 'u1');
  assert.equal(c.formerUid('Secret', 'ns', 'db'), undefined);
  h.upsert(secret('u2'));
  assert.equal(c.formerUid('Secret', 'ns', 'db'), 'u1', 'replaced without a deletion seen');
  h.remove(secret('u2'));
  assert.equal(c.formerUid('Secret', 'ns', 'db'), 'u2', 'deleted');
  h.upsert(secret('u3'));
  assert.equal(c.formerUid('Secret', 'ns', 'db'), 'u2');
  assert.equal(changes.length, 4);
});
