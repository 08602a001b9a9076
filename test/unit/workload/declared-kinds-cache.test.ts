import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import { mapAnnotations } from '../../../src/model/annotations.ts';
import { parseWorkloadKey, workloadKey, type WorkloadKey } from '../../../src/model/workload-key.ts';
import { serveDeclaredKind, workloadPath } from '../../../src/model/workload-kind.ts';
import { WorkloadCache } from '../../../src/workload/workload-cache.ts';

function cache(followWorkloadRef = false): { cache: WorkloadCache; changes: string[] } {
  const changes: string[] = [];
  const c = new WorkloadCache({
    annotations: mapAnnotations((_, a) => a.default),
    recordAnnotation: 'mini-reloader.pelabs/config-hash-record',
    followWorkloadRef,
    onChange: (key) => {
      changes.push(key);
    },
  });
  return { cache: c, changes };
}

const podSpec = (configMap: string): unknown => ({
  containers: [{ name: 'app', envFrom: [{ configMapRef: { name: configMap } }] }],
});
const meta = (name: string, annotations: Record<string, string> = {}): KubeObject['metadata'] => ({
  name,
  namespace: 'ns',
  uid: `uid-${name}`,
  resourceVersion: '1',
  annotations: { 'reloader.stakater.com/auto': 'true', 'example.com/noise': 'x'.repeat(1000), ...annotations },
});

test('a declared kind is read at its own template path, keeps only what built-in kinds keep, and has a key, a path and an API kind of its own', () => {
  const info = serveDeclaredKind(
    {
      declaration: 'example.com/v1/Runner,resource=runners,template=spec.run.template',
      group: 'example.com',
      version: 'v1',
      kind: 'Runner',
      resource: 'runners',
      templatePath: ['spec', 'run', 'template'],
      restartField: undefined,
    },
    'runners',
  );
  assert.equal(info.kind, 'Runner.example.com');
  assert.equal(info.objectKind, 'Runner');
  const { cache: c } = cache();
  c.handlers(info.kind).upsert({
    metadata: meta('r'),
    spec: { run: { template: { spec: podSpec('settings') } }, replicas: 3 },
    status: { big: 'y'.repeat(1000) },
  });
  const key = workloadKey('Runner.example.com', 'ns', 'r');
  assert.deepEqual([...c.referencing('ConfigMap', 'ns', 'settings')], [key]);
  const record = c.get(key);
  assert.ok(record);
  assert.deepEqual(record.annotations, { 'reloader.stakater.com/auto': 'true' });
  assert.ok(JSON.stringify(record).length < 600, 'no full object, no noise annotations, no status');
  assert.deepEqual(parseWorkloadKey(key), { kind: 'Runner.example.com', namespace: 'ns', name: 'r' });
  assert.equal(workloadPath('Runner.example.com', 'ns', 'r'), '/apis/example.com/v1/namespaces/ns/runners/r');
});

test('a key of a kind neither built in nor served is malformed', () => {
  assert.throws(() => parseWorkloadKey('Gadget.example.com/ns/g' as WorkloadKey), /malformed workload key/);
});

const ROLLOUT = workloadKey('Rollout', 'ns', 'ro');
const DEPLOYMENT = workloadKey('Deployment', 'ns', 'web');
const rollout = (name: string, deploymentName: string): KubeObject => ({
  metadata: meta(name),
  spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName } },
});
const deployment = (name: string, configMap: string): KubeObject => ({
  metadata: meta(name, { 'reloader.stakater.com/auto': 'false' }),
  spec: { template: { metadata: { annotations: { 'reloader.stakater.com/auto': 'true' } }, spec: podSpec(configMap) } },
});

test('a Rollout with spec.workloadRef follows the references of its Deployment, which is marked as run by it', () => {
  const { cache: c, changes } = cache(true);
  c.handlers('Rollout').upsert(rollout('ro', 'web'));
  assert.deepEqual(c.get(ROLLOUT)?.references, [], 'no Deployment yet: nothing followed');
  c.handlers('Deployment').upsert(deployment('web', 'settings'));
  assert.ok(changes.includes('Rollout/ns/ro'), 'the Deployment arriving is a change of the Rollout');
  const ro = c.get(ROLLOUT);
  assert.ok(ro);
  assert.deepEqual(
    ro.references.map((r) => r.name),
    ['settings'],
  );
  assert.equal(ro.workloadRef, 'web');
  assert.deepEqual(ro.annotations, { 'reloader.stakater.com/auto': 'true' }, "the Rollout's own annotations steer it");
  assert.equal(c.get(DEPLOYMENT)?.runBy, 'Rollout/ns/ro');
  assert.deepEqual([...c.referencing('ConfigMap', 'ns', 'settings')].sort(), ['Deployment/ns/web', 'Rollout/ns/ro']);

  changes.length = 0;
  c.handlers('Deployment').upsert(deployment('web', 'other'));
  assert.deepEqual(
    changes.sort(),
    ['Deployment/ns/web', 'Rollout/ns/ro'],
    'a new template of the Deployment is a change of the Rollout',
  );
  assert.deepEqual(
    c.get(ROLLOUT)?.references.map((r) => r.name),
    ['other'],
  );

  c.handlers('Rollout').remove(rollout('ro', 'web'));
  assert.equal(c.get(DEPLOYMENT)?.runBy, undefined);
  assert.deepEqual([...c.referencing('ConfigMap', 'ns', 'other')], ['Deployment/ns/web']);
});

test('without the preset, spec.workloadRef is not followed', () => {
  const { cache: c } = cache(false);
  c.handlers('Rollout').upsert(rollout('ro', 'web'));
  c.handlers('Deployment').upsert(deployment('web', 'settings'));
  assert.equal(c.get(ROLLOUT)?.workloadRef, undefined);
  assert.equal(c.get(DEPLOYMENT)?.runBy, undefined);
  assert.deepEqual([...c.referencing('ConfigMap', 'ns', 'settings')], ['Deployment/ns/web']);
});
