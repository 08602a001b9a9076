import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, HASH_ANNOTATION, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment, rolloutComplete } from './support/workloads.ts';

/*
 * A controller started with the arguments a Stakater Reloader user already
 * has, spelled as Stakater's cobra flags take them, on the real control plane.
 */

const LABEL = 'mini-reloader-test/flags';

test("Stakater's spellings run as Stakater runs them: string switches with their value apart, a quoted selector, --stakater-defaults, and a warning for what is ignored", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' }, { [LABEL]: 'yes' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings', optional: true } }] }] },
      AUTO,
    ),
  });
  const controller = await startController(t, ns, [
    // Stakater's defaults, but JSON logs for this harness: an explicit flag wins.
    '--stakater-defaults',
    '--log-format=json',
    '--reload-on-delete',
    'true',
    '--reload-on-create',
    'true',
    // As Stakater's chart renders a selector: literal quotes inside the argument.
    `--resource-label-selector="${LABEL}=yes"`,
    // Cluster-wide only: Stakater warns and ignores it in namespaced mode.
    '--namespaces-to-ignore',
    '"kube-system","kube-public"',
  ]);
  const warning = await controller.waitFor(
    'the ignored --namespaces-to-ignore',
    (l) => l.level === 40 && l.msg.includes('--namespaces-to-ignore'),
  );
  assert.match(warning.msg, /"kube-system,kube-public" is ignored/);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  await rolloutComplete(c, ns, 'web');

  let mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(key, 'rolled', mark);
  const rolled = (await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.template;
  assert.deepEqual(
    rolled?.spec?.containers[0]?.env?.map((e) => e.name),
    ['STAKATER_SETTINGS_CONFIGMAP'],
    "--stakater-defaults: Stakater's env-vars strategy",
  );
  assert.equal(rolled.metadata?.annotations?.[HASH_ANNOTATION], undefined);
  await rolloutComplete(c, ns, 'web');

  mark = controller.mark();
  await c.core.deleteNamespacedConfigMap({ name: 'settings', namespace: ns });
  await controller.decided(key, 'rolled', mark);
  const after = (await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.template;
  assert.equal(
    after?.spec?.containers[0]?.env?.length ?? 0,
    0,
    '--reload-on-delete true: the deletion rolled and took the variable away',
  );
});
