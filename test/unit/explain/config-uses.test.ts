import assert from 'node:assert/strict';
import { test } from 'node:test';
import { usesText, useViews } from '../../../src/explain/config-uses.ts';
import { podConfigUses } from '../../../src/workload/pod-references.ts';

const spec = {
  initContainers: [{ name: 'setup', env: [{ name: 'K', valueFrom: { configMapKeyRef: { name: 'app', key: 'K' } } }] }],
  containers: [
    {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'app', optional: true } }],
      volumeMounts: [
        { name: 'cfg', mountPath: '/a' },
        { name: 'cfg', mountPath: '/b' },
      ],
    },
  ],
  volumes: [
    { name: 'cfg', configMap: { name: 'app', items: [{ key: 'x' }, { key: 'y' }] } },
    { name: 'spare', projected: { sources: [{ configMap: { name: 'app' } }] } },
    { name: 'other', configMap: { name: 'other' } },
  ],
};

test('the uses of one config, each distinct one once: a volume mounted twice by one container is one use', () => {
  assert.deepEqual(useViews(podConfigUses(spec), 'ConfigMap', 'app'), [
    { container: 'setup', init: true, via: 'env', key: 'K', optional: false },
    { container: 'app', init: false, via: 'envFrom', optional: true },
    { container: 'app', init: false, via: 'volume', volume: 'cfg', items: ['x', 'y'], optional: false },
    { container: null, init: false, via: 'projected', volume: 'spare', optional: false },
  ]);
  assert.deepEqual(useViews(podConfigUses(spec), 'Secret', 'app'), [], 'another kind of the same name');
});

test('the uses in words for the table', () => {
  assert.equal(
    usesText(useViews(podConfigUses(spec), 'ConfigMap', 'app')),
    'env key K in init container setup; envFrom (optional) in app; volume cfg (items x, y) in app; projected spare in no named container',
  );
  assert.equal(usesText([]), '-', 'a config only a named list selects');
});
