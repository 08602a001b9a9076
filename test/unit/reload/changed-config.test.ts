import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigEntry } from '../../../src/config/config-cache.ts';
import { changedConfigs, changedConfigText } from '../../../src/reload/changed-config.ts';
import type { ConfigReference } from '../../../src/workload/config-reference.ts';

const entry: ConfigEntry = {
  digests: new Map([
    ['A', 'x'],
    ['B', 'y'],
  ]),
  uid: 'u',
  enabled: false,
  ignored: false,
  match: false,
  change: {
    keys: { changed: ['A', 'B'], added: ['C'], removed: [] },
    at: 1,
    manager: 'kubectl-edit',
    owner: 'ExternalSecret/app',
  },
};
const ref = (keys: ConfigReference['keys']): ConfigReference => ({
  kind: 'ConfigMap',
  name: 'app',
  keys,
  optional: false,
  containers: [],
});

test('a changed config names the keys of its last change that the pods can see, and who wrote it', () => {
  const [whole] = changedConfigs(['ConfigMap/app'], [ref('all')], () => entry, ['ConfigMap/app']);
  assert.deepEqual(whole, {
    kind: 'ConfigMap',
    name: 'app',
    keys: { changed: ['A', 'B'], added: ['C'], removed: [] },
    manager: 'kubectl-edit',
    owner: 'ExternalSecret/app',
  });
  assert.equal(
    changedConfigText(whole),
    'ConfigMap/app: keys A, B changed; key C added (by kubectl-edit, owned by ExternalSecret/app)',
  );
  const [keyed] = changedConfigs(['ConfigMap/app'], [ref(['B'])], () => entry, ['ConfigMap/app']);
  assert.deepEqual(keyed?.keys, { changed: ['B'], added: [], removed: [] });
});

test('a change the controller did not watch names the config only', () => {
  const [unseen] = changedConfigs(['ConfigMap/app'], [ref('all')], () => entry, []);
  assert.deepEqual(unseen, { kind: 'ConfigMap', name: 'app' });
  assert.equal(changedConfigText({ kind: 'Secret', name: 'db' }), 'Secret/db changed');
});
