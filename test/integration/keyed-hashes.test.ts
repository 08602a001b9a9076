import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { clients, testNamespace } from './support/cluster.ts';
import { AUTO, createSecret, HASH_ANNOTATION, updateSecret } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment, rolloutComplete, templateAnnotation } from './support/workloads.ts';

const RECORD = `${HASH_ANNOTATION}-record`;

/** What an earlier release (record version 1, unkeyed) wrote for a Secret seen whole: anyone can compute it from a guess. */
function unkeyedEntry(kind: string, name: string, data: Record<string, string>): { entry: string; combined: string } {
  const str = (v: string): string => `${Buffer.byteLength(v)}:${v}`;
  const keys = Object.keys(data).sort();
  const entries = keys.map(
    (k) =>
      `${str(k)}D${str(
        createHash('sha256')
          .update(data[k] ?? '')
          .digest('base64url')
          .slice(0, 22),
      )}`,
  );
  const combined = createHash('sha256')
    .update(`mini-reloader/config-hash/v1C${str(kind)}${str(name)}P${keys.length}:${entries.join('')}`)
    .digest('hex');
  return { entry: `*.${combined.slice(0, 22)}`, combined };
}

test('an unkeyed record of an earlier release is kept while the data stands, and replaced by the keyed one at the next change', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createSecret(c, ns, 'pin', { PIN: '1234' });
  const legacy = JSON.stringify({ 'Secret/pin': unkeyedEntry('Secret', 'pin', { PIN: '1234' }).entry });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ secretRef: { name: 'pin' } }] }] },
      { ...AUTO, [RECORD]: legacy },
    ),
  });
  await rolloutComplete(c, ns, 'web');
  const key = `Deployment/${ns}/web`;
  const readRecord = async (): Promise<string | undefined> =>
    (await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).metadata?.annotations?.[RECORD];

  const controller = await startController(t, ns);
  await controller.decided(key, 'not rolled: config unchanged');
  assert.equal(await readRecord(), legacy, 'an upgrade writes nothing');

  const mark = controller.mark();
  await updateSecret(c, ns, 'pin', { PIN: '4711' });
  await controller.decided(key, 'rolled', mark);
  const { replicaSets } = await rolloutComplete(c, ns, 'web');
  assert.equal(replicaSets, 2, 'one rollout');
  const record = JSON.parse((await readRecord()) ?? '{}') as Record<string, unknown>;
  assert.equal(record.v, 2);
  const guess = unkeyedEntry('Secret', 'pin', { PIN: '4711' });
  assert.match(String(record['Secret/pin']), /^\*\.[0-9a-f]{22}$/);
  assert.notEqual(record['Secret/pin'], guess.entry, 'the record does not answer a guess of the value');
  const hash = (await templateAnnotation(c, ns, 'web', HASH_ANNOTATION)) ?? '';
  assert.match(hash, /^[0-9a-f]{64}$/);
  for (const unkeyed of [guess.combined, createHash('sha256').update('4711').digest('hex')]) {
    assert.notEqual(hash, unkeyed, 'the pod-template mark does not answer a guess of the value');
  }

  await controller.stop();
  const again = await startController(t, ns);
  await again.decided(key, 'not rolled: config unchanged');
  assert.equal(again.count(key, 'rolled'), 0, 'the keyed record reads back the same after a restart');
});

test('a Secret deleted and created again with the same data while the controller runs rolls nothing, although its uid (the key) changed', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createSecret(c, ns, 'pin', { PIN: '1234' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ secretRef: { name: 'pin' } }] }] },
      AUTO,
    ),
  });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  // Both within one debounce window: the controller never judges the Secret absent.
  await c.core.deleteNamespacedSecret({ name: 'pin', namespace: ns });
  await createSecret(c, ns, 'pin', { PIN: '1234' });
  await controller.decided(key, 'recorded without rolling', mark);
  await updateSecret(c, ns, 'pin', { PIN: '4711' });
  await controller.decided(key, 'rolled', mark);
  const { replicaSets } = await rolloutComplete(c, ns, 'web');
  assert.equal(replicaSets, 2, 'the re-creation rolled nothing; the change after it rolled once');
  assert.equal(controller.count(key, 'rolled'), 1);
});
