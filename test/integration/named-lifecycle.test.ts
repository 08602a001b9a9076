import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { clients, testNamespace, type Clients } from './support/cluster.ts';
import { createConfigMap, createSecret } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { deployment, rolloutComplete } from './support/workloads.ts';

const ADOPTED = 'adopted';
const ROLLED = 'rolled';
const RECORDED = 'recorded without rolling';
const UNCHANGED = 'not rolled: config unchanged';

interface Named {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly annotation: string;
  create(c: Clients, namespace: string): Promise<void>;
  remove(c: Clients, namespace: string): Promise<void>;
}

const CONFIGMAP: Named = {
  kind: 'ConfigMap',
  annotation: 'configmap.reloader.stakater.com/reload',
  create: (c, namespace) => createConfigMap(c, namespace, 'extra', { A: '1' }),
  remove: async (c, namespace) => {
    await c.core.deleteNamespacedConfigMap({ name: 'extra', namespace });
  },
};

const SECRET: Named = {
  kind: 'Secret',
  annotation: 'secret.reloader.stakater.com/reload',
  create: (c, namespace) => createSecret(c, namespace, 'extra', { token: 'one' }),
  remove: async (c, namespace) => {
    await c.core.deleteNamespacedSecret({ name: 'extra', namespace });
  },
};

/**
 * A Deployment that names `extra` in a reload list and references only
 * `base` in its pod spec. `extra` is created and deleted with the controller
 * running, then created and deleted again while it is down; each of the four
 * is expected to come to `outcome` exactly once, then to rest. Returns how many
 * pod templates the Deployment had, counting each change as one.
 */
async function lifecycle(t: TestContext, named: Named, flags: readonly string[], outcome: string): Promise<number> {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'base', { B: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'base' } }] }] },
      { [named.annotation]: 'extra' },
    ),
  });
  const key = `Deployment/${ns}/web`;
  // Each pod template in turn: the revisions of kube-controller-manager would miss one it had no time to see.
  const templates: string[] = [];
  const seeTemplate = async (): Promise<void> => {
    const d = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    templates.push(JSON.stringify(d.spec?.template));
  };
  const settles = async (controller: ControllerProcess, from: number): Promise<void> => {
    const done = await controller.decided(key, outcome, from);
    await controller.decided(key, UNCHANGED, controller.lines.indexOf(done));
    await seeTemplate();
    assert.equal(
      controller.lines.slice(from).filter((l) => l.workload === key && l.msg.startsWith(outcome)).length,
      1,
      `${outcome} once`,
    );
  };

  const up = await startController(t, ns, flags);
  await up.decided(key, ADOPTED);
  await seeTemplate();
  let mark = up.mark();
  await named.create(c, ns);
  await settles(up, mark);
  mark = up.mark();
  await named.remove(c, ns);
  await settles(up, mark);
  await up.kill();

  await named.create(c, ns);
  const afterCreate = await startController(t, ns, flags);
  await settles(afterCreate, 0);
  await afterCreate.kill();

  await named.remove(c, ns);
  const afterDelete = await startController(t, ns, flags);
  await settles(afterDelete, 0);
  await rolloutComplete(c, ns, 'web');
  // One for the first template, and one for each roll that changed it.
  return 1 + templates.filter((template, i) => i > 0 && template !== templates[i - 1]).length;
}

test('a ConfigMap named in a reload list and referenced nowhere rolls the workload once at each creation and deletion, with --reload-on-create and --reload-on-delete, also while the controller was down', async (t) => {
  assert.equal(
    await lifecycle(t, CONFIGMAP, ['--reload-on-create', '--reload-on-delete'], ROLLED),
    5,
    'four rollouts after the first revision',
  );
});

test("without the flags, a named Secret's creations and deletions are only recorded, with the controller up or down", async (t) => {
  assert.equal(await lifecycle(t, SECRET, [], RECORDED), 1, 'no rollout after the first revision');
});
