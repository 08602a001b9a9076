import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigEntry } from '../../../src/config/config-cache.ts';
import { CsiCache } from '../../../src/config/csi-cache.ts';
import { summarizePodStatus, versionsDigest } from '../../../src/config/csi-pod-status.ts';
import type { KubeObject } from '../../../src/kube/kube-object.ts';

function podStatus(name: string, className: string, versions: Record<string, string>, namespace = 'apps'): KubeObject {
  return {
    metadata: { name, namespace },
    status: {
      podName: name,
      secretProviderClassName: className,
      objects: Object.entries(versions).map(([id, version]) => ({ id, version })),
    },
  };
}

function providerClass(name: string, annotations: Record<string, string>, namespace = 'apps'): KubeObject {
  return { metadata: { name, namespace, annotations } };
}

/** A cache whose published entries are kept as the config cache would keep them, with every publication that changed one. */
function cache(ignoreNamespace?: (ns: string) => boolean): {
  csi: CsiCache;
  entries: Map<string, ConfigEntry>;
  changes: string[];
} {
  const entries = new Map<string, ConfigEntry>();
  const changes: string[] = [];
  const csi = new CsiCache({
    enabledLabel: 'mini-reloader.pelabs/enabled',
    ignoreAnnotation: 'reloader.stakater.com/ignore',
    matchAnnotation: 'reloader.stakater.com/match',
    ...(ignoreNamespace === undefined ? {} : { ignoreNamespace }),
    sink: {
      setComputed: (_kind, namespace, name, entry) => {
        const key = `${namespace}/${name}`;
        const before = entries.get(key);
        if (
          JSON.stringify(before && [...before.digests, before.ignored, before.match]) ===
          JSON.stringify(entry && [...entry.digests, entry.ignored, entry.match])
        )
          return;
        if (entry === undefined) entries.delete(key);
        else entries.set(key, entry);
        changes.push(key);
      },
    },
  });
  return { csi, entries, changes };
}

const digestOf = (entries: Map<string, ConfigEntry>, key: string): string | undefined =>
  entries.get(key)?.digests.get('objects');

test('the digest covers the set of ids and versions: not their order, and not the pod', () => {
  const a = summarizePodStatus(podStatus('web-1', 'db', { user: '1', password: '2' }));
  const b = summarizePodStatus(podStatus('web-2', 'db', { password: '2', user: '1' }));
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(a.digest, b.digest);
  assert.notEqual(a.digest, summarizePodStatus(podStatus('web-1', 'db', { user: '1', password: '3' }))?.digest);
  assert.notEqual(
    versionsDigest([['a', 'bc']]),
    versionsDigest([['ab', 'c']]),
    'length-prefixed: fields cannot slide into each other',
  );
});

test('a status without a class or without objects reports nothing; malformed objects never throw', () => {
  assert.equal(
    summarizePodStatus({ metadata: { name: 'x' }, status: { objects: [{ id: 'a', version: '1' }] } }),
    undefined,
  );
  assert.equal(summarizePodStatus(podStatus('x', 'db', {})), undefined);
  assert.equal(summarizePodStatus({ metadata: { name: 'x' }, status: 'nonsense' }), undefined);
  assert.ok(
    summarizePodStatus({
      metadata: { name: 'x' },
      status: { secretProviderClassName: 'db', objects: [null, 7, { id: 3 }] },
    }) !== undefined,
  );
});

test('a class has an entry while some status reports it, with the versions most statuses report', () => {
  const { csi, entries } = cache();
  const handlers = csi.podStatusHandlers();
  const v1 = summarizePodStatus(podStatus('p', 'db', { password: '1' }))?.digest;
  const v2 = summarizePodStatus(podStatus('p', 'db', { password: '2' }))?.digest;
  handlers.upsert(podStatus('web-1', 'db', { password: '1' }));
  handlers.upsert(podStatus('web-2', 'db', { password: '1' }));
  handlers.upsert(podStatus('web-3', 'db', { password: '1' }));
  assert.equal(digestOf(entries, 'apps/db'), v1);
  handlers.upsert(podStatus('web-1', 'db', { password: '2' }));
  assert.equal(digestOf(entries, 'apps/db'), v1, 'one of three pods rotated: the class has not yet');
  handlers.upsert(podStatus('web-2', 'db', { password: '2' }));
  assert.equal(digestOf(entries, 'apps/db'), v2, 'most pods rotated');
  // The rollout: old pods go, new ones come with the new versions; the class stays put.
  handlers.remove(podStatus('web-3', 'db', {}));
  handlers.upsert(podStatus('web-4', 'db', { password: '2' }));
  assert.equal(digestOf(entries, 'apps/db'), v2);
  handlers.remove(podStatus('web-1', 'db', {}));
  handlers.remove(podStatus('web-2', 'db', {}));
  handlers.remove(podStatus('web-4', 'db', {}));
  assert.equal(entries.has('apps/db'), false, 'no status, no entry');
});

test('a tie goes to the versions that appeared last', () => {
  const { csi, entries } = cache();
  const handlers = csi.podStatusHandlers();
  handlers.upsert(podStatus('web-1', 'db', { password: '1' }));
  handlers.upsert(podStatus('web-2', 'db', { password: '1' }));
  handlers.upsert(podStatus('web-1', 'db', { password: '2' }));
  assert.equal(digestOf(entries, 'apps/db'), summarizePodStatus(podStatus('p', 'db', { password: '2' }))?.digest);
});

test('an unchanged status publishes nothing; a relist drops the statuses it did not deliver', () => {
  const { csi, entries, changes } = cache();
  const handlers = csi.podStatusHandlers('apps');
  handlers.upsert(podStatus('web-1', 'db', { password: '1' }));
  handlers.upsert(podStatus('web-1', 'db', { password: '1' }));
  assert.deepEqual(changes, ['apps/db']);
  handlers.listStarted();
  handlers.upsert(podStatus('web-2', 'cache', { token: '1' }));
  handlers.listFinished();
  assert.deepEqual([...entries.keys()], ['apps/cache']);
});

test("the class's ignore and match annotations steer as a ConfigMap's; statuses in ignored namespaces are not kept", () => {
  const { csi, entries } = cache((ns) => ns === 'kube-system');
  csi.podStatusHandlers().upsert(podStatus('web-1', 'db', { password: '1' }));
  csi
    .providerClassHandlers()
    .upsert(providerClass('db', { 'reloader.stakater.com/ignore': 'true', 'reloader.stakater.com/match': 'yes' }));
  assert.equal(entries.get('apps/db')?.ignored, true);
  assert.equal(entries.get('apps/db')?.match, false, 'not a Go boolean: absent');
  csi.providerClassHandlers().remove(providerClass('db', {}));
  assert.equal(entries.get('apps/db')?.ignored, false);
  csi.podStatusHandlers().upsert(podStatus('dns-1', 'db', { password: '1' }, 'kube-system'));
  assert.equal(entries.has('kube-system/db'), false);
  assert.equal(csi.statuses, 1);
});
