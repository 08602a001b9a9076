import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment, replicaSetsOf, rolloutComplete } from './support/workloads.ts';

const CONFLICT = 'write conflicted with a newer version';
const ADOPTED = 'adopted';
const ROLLED = 'rolled';
const UNCHANGED = 'not rolled: config unchanged';

/**
 * One adoption write a second, so a workload adopted right after another one
 * waits about a second for its write: the label writers below move its
 * resourceVersion meanwhile, and that write conflicts.
 */
const ADOPTION_RATE = ['--adoption-writes-per-second=1'];

/** Rounds in which the first write did conflict; the others prove nothing and are tried again. */
const CONFLICTED_ROUNDS = 6;
const MAX_ROUNDS = 30;

/** Label writes in a loop, from several writers at once, until `signal` aborts: each one moves the resourceVersion. */
async function relabel(c: Clients, namespace: string, name: string, signal: AbortSignal): Promise<void> {
  const writer = async (id: number): Promise<void> => {
    for (let n = 0; !signal.aborted; n++) {
      await c.apps.patchNamespacedDeployment(
        { name, namespace, body: { metadata: { labels: { [`writer-${id}`]: String(n) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
  };
  await Promise.all([0, 1, 2].map(writer));
}

test('a workload whose first write gets a 409, with a config change right after, rolls exactly once', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const controller = await startController(t, ns, ADOPTION_RATE);
  let conflicted = 0;
  for (let round = 0; round < MAX_ROUNDS && conflicted < CONFLICTED_ROUNDS; round++) {
    const name = `web-${round}`;
    const key = `Deployment/${ns}/${name}`;
    await createConfigMap(c, ns, `cm-${round}`, { GREETING: 'hello' });
    // A decoy takes the adoption token, so the workload under test waits for its own.
    const decoy = `decoy-${round}`;
    const beforeDecoy = controller.mark();
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(
        decoy,
        { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: `cm-${round}` } }] }] },
        AUTO,
      ),
    });
    await controller.decided(`Deployment/${ns}/${decoy}`, ADOPTED, beforeDecoy);
    const from = controller.mark();
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(
        name,
        { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: `cm-${round}` } }] }] },
        AUTO,
      ),
    });
    const stop = new AbortController();
    const writing = relabel(c, ns, name, stop.signal);
    const first = await controller.waitFor(
      `the first write to ${key} to conflict or succeed`,
      (l) => l.workload === key && (l.msg.startsWith(CONFLICT) || l.msg.startsWith(ADOPTED)),
      from,
    );
    if (first.msg.startsWith(ADOPTED)) {
      // Adopted at the first try: this round is not the window under test.
      stop.abort();
      await writing;
      continue;
    }
    conflicted++;
    // At once, while the adoption waits for its retry: the pods were created with "hello".
    await updateConfigMap(c, ns, `cm-${round}`, { GREETING: 'bonjour' });
    stop.abort();
    await writing;

    const rolled = await controller.decided(key, ROLLED, from);
    await controller.decided(key, UNCHANGED, controller.lines.indexOf(rolled));
    const { replicaSets } = await rolloutComplete(c, ns, name);
    assert.equal(replicaSets, 2, `${key}: one ReplicaSet from creation, one from the roll of the change`);
    assert.equal(controller.count(key, ROLLED), 1, `${key}: rolled exactly once`);
  }
  assert.equal(
    conflicted,
    CONFLICTED_ROUNDS,
    `the first write conflicted in only ${conflicted} of ${MAX_ROUNDS} rounds`,
  );
  // Nothing rolls later either: every workload of the test still has its two ReplicaSets.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sets = await replicaSetsOf(c, ns, `web-${round}`);
    if (sets.length > 0) assert.ok(sets.length <= 2, `web-${round}: ${sets.length} ReplicaSets`);
  }
});
