import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import { mapAnnotations } from '../../../src/model/annotations.ts';
import { workloadKey } from '../../../src/model/workload-key.ts';
import { WorkloadCache } from '../../../src/workload/workload-cache.ts';

function cache(): { cache: WorkloadCache; changes: string[] } {
  const changes: string[] = [];
  const c = new WorkloadCache({
    annotations: mapAnnotations((_, a) => a.default),
    recordAnnotation: 'mini-reloader.pelabs/config-hash-record',
    onChange: (key) => {
      changes.push(key);
    },
  });
  return { cache: c, changes };
}

function deployment(
  name: string,
  configMaps: string[],
  extra: { rv?: string; annotations?: Record<string, string>; status?: unknown } = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: extra.rv ?? '1',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":"blob"}', ...extra.annotations },
    },
    spec: {
      template: {
        metadata: { annotations: { 'mini-reloader.pelabs/config-hash': 'h1' } },
        spec: { containers: [{ name: 'app', envFrom: configMaps.map((n) => ({ configMapRef: { name: n } })) }] },
      },
    },
    status: extra.status ?? {},
  };
}

test('the reverse index finds the workloads that reference a config, and follows edits', () => {
  const { cache: c } = cache();
  const h = c.handlers('Deployment');
  h.upsert(deployment('a', ['shared', 'only-a']));
  h.upsert(deployment('b', ['shared']));
  assert.deepEqual([...c.referencing('ConfigMap', 'ns', 'shared')].sort(), ['Deployment/ns/a', 'Deployment/ns/b']);
  h.upsert(deployment('a', ['only-a']));
  assert.deepEqual([...c.referencing('ConfigMap', 'ns', 'shared')], ['Deployment/ns/b']);
  h.remove(deployment('b', ['shared']));
  assert.equal(c.referencing('ConfigMap', 'ns', 'shared').size, 0);
  assert.equal(c.referencing('ConfigMap', 'other', 'only-a').size, 0, 'references are per namespace');
});

test('status and resourceVersion churn is not a change, but the new resourceVersion is kept for the next write', () => {
  const { cache: c, changes } = cache();
  const h = c.handlers('Deployment');
  h.upsert(deployment('a', ['cm']));
  h.upsert(deployment('a', ['cm'], { rv: '2', status: { replicas: 3 } }));
  assert.deepEqual(changes, ['Deployment/ns/a']);
  assert.equal(c.get(workloadKey('Deployment', 'ns', 'a'))?.resourceVersion, '2');
  h.upsert(deployment('a', ['cm'], { rv: '3', annotations: { 'reloader.stakater.com/auto': 'true' } }));
  assert.equal(changes.length, 2, 'a steering annotation is a change');
});

test('only steering annotations and the config record are kept, not the whole object', () => {
  const { cache: c } = cache();
  c.handlers('Deployment').upsert(
    deployment('a', ['cm'], {
      annotations: {
        'reloader.stakater.com/auto': 'true',
        'mini-reloader.pelabs/config-hash-record': '{"v":2,"ConfigMap/cm":"*.abc"}',
      },
    }),
  );
  const record = c.get(workloadKey('Deployment', 'ns', 'a'));
  assert.ok(record);
  assert.deepEqual(record.annotations, { 'reloader.stakater.com/auto': 'true' });
  assert.deepEqual(record.record, { version: 2, entries: new Map([['ConfigMap/cm', '*.abc']]) });
  assert.deepEqual(record.containers, ['app']);
  assert.equal(JSON.stringify(record).includes('last-applied'), false);
});

test('a relist drops workloads of its kind that are gone, and only those', () => {
  const { cache: c } = cache();
  c.handlers('Deployment').upsert(deployment('a', []));
  c.handlers('Deployment').upsert(deployment('b', []));
  c.handlers('StatefulSet').upsert(deployment('b', []));
  const h = c.handlers('Deployment');
  h.listStarted();
  h.upsert(deployment('a', []));
  h.listFinished();
  assert.deepEqual([...c.keys()].sort(), ['Deployment/ns/a', 'StatefulSet/ns/b']);
});

test('workloads with a named list are indexed per namespace and kind, and leave the index when the list goes', () => {
  const { cache: c } = cache();
  const h = c.handlers('Deployment');
  h.upsert(deployment('a', [], { annotations: { 'secret.reloader.stakater.com/reload': 'db-.*' } }));
  h.upsert(deployment('b', []));
  assert.deepEqual([...c.naming('Secret', 'ns')], ['Deployment/ns/a']);
  assert.equal(c.naming('ConfigMap', 'ns').size, 0);
  h.upsert(deployment('a', [], { rv: '2' }));
  assert.equal(c.naming('Secret', 'ns').size, 0);
});

test('gate news is told on first sight and on removal, with the record last seen, not on resourceVersion churn', () => {
  const gates: { key: string; references: string[] }[] = [];
  const c = new WorkloadCache({
    annotations: mapAnnotations((_, a) => a.default),
    recordAnnotation: 'mini-reloader.pelabs/config-hash-record',
    onChange: () => undefined,
    onGateChange: (key, workload) => {
      gates.push({ key, references: workload.references.map((r) => r.name) });
    },
  });
  const h = c.handlers('Deployment');
  const progressing = { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'True' }] };
  h.upsert(deployment('a', ['cm'], { status: progressing }));
  h.upsert(deployment('a', ['cm'], { rv: '2', status: progressing }));
  assert.deepEqual(gates, [{ key: 'Deployment/ns/a', references: ['cm'] }], 'resourceVersion churn is no news');
  h.remove(deployment('a', ['cm']));
  assert.equal(c.get(workloadKey('Deployment', 'ns', 'a')), undefined);
  assert.equal(gates.length, 2, 'a deleted follower holds no wave back');
  assert.deepEqual(gates[1], { key: 'Deployment/ns/a', references: ['cm'] });
});
