import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigCache } from '../../../src/config/config-cache.ts';
import { keyChanges, keyChangesText, mergeKeyChanges, writerOf } from '../../../src/config/data-change.ts';
import type { KubeObject } from '../../../src/kube/kube-object.ts';

const digests = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

test('key changes name changed, added and removed keys, each sorted', () => {
  assert.deepEqual(keyChanges(digests({ b: '1', a: '1', gone: '1' }), digests({ b: '2', a: '2', c: '1' })), {
    changed: ['a', 'b'],
    added: ['c'],
    removed: ['gone'],
  });
  assert.equal(
    keyChangesText({ changed: ['FEATURE_X', 'LOG_LEVEL'], added: ['NEW'], removed: [] }),
    'keys FEATURE_X, LOG_LEVEL changed; key NEW added',
  );
});

test('two changes in a row add up; a key removed then added again counts as changed', () => {
  assert.deepEqual(
    mergeKeyChanges({ changed: ['a'], added: [], removed: ['k'] }, { changed: ['b'], added: ['k'], removed: [] }),
    { changed: ['a', 'b', 'k'], added: [], removed: [] },
  );
});

const managed = (
  manager: string,
  time: string,
  data: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
) => ({
  manager,
  operation: 'Update',
  time,
  fieldsType: 'FieldsV1',
  fieldsV1: { ...(data === undefined ? {} : { 'f:data': data }), ...extra },
});

test('the writer is the newest manager that owns a changed key, and the owner is the controller owner', () => {
  const metadata = {
    managedFields: [
      managed('helm', '2026-01-01T00:00:00Z', { 'f:A': {}, 'f:B': {} }),
      managed('kubectl-edit', '2026-01-02T00:00:00Z', { 'f:B': {} }),
      managed('kubectl-label', '2026-01-03T00:00:00Z', undefined, { 'f:metadata': { 'f:labels': {} } }),
    ],
    ownerReferences: [
      { kind: 'Other', name: 'x' },
      { kind: 'ExternalSecret', name: 'db', controller: true },
    ],
  };
  assert.deepEqual(writerOf(metadata, ['B']), { manager: 'kubectl-edit', owner: 'ExternalSecret/db' });
  assert.deepEqual(writerOf(metadata, ['A']), { manager: 'helm', owner: 'ExternalSecret/db' });
  assert.deepEqual(
    writerOf(metadata, ['gone']),
    { manager: 'kubectl-edit', owner: 'ExternalSecret/db' },
    'no entry owns it: the newest data write',
  );
  assert.deepEqual(
    writerOf({ managedFields: 'junk', ownerReferences: [{ kind: 1 }] }),
    {},
    'odd shapes read as unknown',
  );
});

function cacheAt(clock: { now: number }, gatherMs: number): ConfigCache {
  return new ConfigCache({
    enabledLabel: 'e',
    ignoreAnnotation: 'i',
    matchAnnotation: 'm',
    onChange: () => undefined,
    onInvalid: () => undefined,
    gatherMs,
    now: () => clock.now,
  });
}

const secret = (data: Record<string, string>, manager: string, uid = 'u1'): KubeObject => ({
  metadata: {
    name: 's',
    namespace: 'ns',
    uid,
    managedFields: [
      managed(manager, '2026-01-01T00:00:00Z', Object.fromEntries(Object.keys(data).map((k) => [`f:${k}`, {}]))),
    ],
  },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

test('the cache keeps the key names and the writer of the last data change, never a value; writes within the window add up', () => {
  const clock = { now: 1_000 };
  const c = cacheAt(clock, 2_000);
  const h = c.handlers('Secret');
  h.upsert(secret({ A: 'one', B: 'one' }, 'helm'));
  assert.equal(c.get('Secret', 'ns', 's')?.change, undefined, 'what the first list found is no change');
  clock.now = 2_000;
  h.upsert(secret({ A: 'two', B: 'one' }, 'kubectl-edit'));
  clock.now = 3_000;
  h.upsert(secret({ A: 'two', B: 'two', C: 'new' }, 'kubectl-edit'));
  const change = c.get('Secret', 'ns', 's')?.change;
  assert.deepEqual(change, {
    keys: { changed: ['A', 'B'], added: ['C'], removed: [] },
    at: 3_000,
    manager: 'kubectl-edit',
  });
  assert.doesNotMatch(JSON.stringify(change), /one|two|new"/);
  clock.now = 10_000;
  h.upsert(secret({ A: 'two', B: 'two' }, 'argocd-controller'));
  assert.deepEqual(
    c.get('Secret', 'ns', 's')?.change?.keys,
    { changed: [], added: [], removed: ['C'] },
    'a write after the window starts a new change',
  );
  h.upsert({
    ...secret({ A: 'two', B: 'two' }, 'x'),
    metadata: { ...secret({}, 'x').metadata, labels: { team: 'a' } },
  });
  assert.deepEqual(
    c.get('Secret', 'ns', 's')?.change?.keys.removed,
    ['C'],
    'a write that leaves the data alone keeps the last change',
  );
  h.upsert(secret({ A: 'three' }, 'x', 'u2'));
  assert.equal(
    c.get('Secret', 'ns', 's')?.change,
    undefined,
    'an object recreated under the name has no change of its own',
  );
});
