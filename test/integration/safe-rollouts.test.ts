import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, eventually, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { rolledOnceOpen, windowOpeningSoon } from './support/maintenance-window.ts';
import { deployment, eventsFor, rolloutComplete } from './support/workloads.ts';

const FREEZE = 'mini-reloader.pelabs/freeze';
const WINDOW = 'mini-reloader.pelabs/maintenance-window';
const HELD = 'ConfigMap/app-config changed; not rolled';

const usesConfig = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };

test('a frozen Deployment is held through two changes, and rolls exactly once, with the newest data, when the freeze is lifted', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { GREETING: 'hello' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('web', usesConfig, { ...AUTO, [FREEZE]: 'true' }),
  });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  await rolloutComplete(c, ns, 'web');

  let mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { GREETING: 'bonjour' });
  await controller.decided(key, HELD, mark);
  mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { GREETING: 'hola' });
  await controller.decided(key, HELD, mark);
  assert.equal(controller.count(key, 'rolled'), 0);
  const held = await eventually('the ReloadHeld event', async () => {
    const e = await eventsFor(c, ns, 'web', 'ReloadHeld');
    return e.length > 0 ? e : undefined;
  });
  assert.equal(held.length, 1, 'one Event for the held state, not one per change');
  assert.match(held[0] ?? '', /freeze is lifted/);

  mark = controller.mark();
  const web = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.ok(web.metadata?.annotations !== undefined);
  web.metadata.annotations[FREEZE] = 'false';
  await c.apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: web });
  await controller.decided(key, 'rolled', mark);
  await controller.decided(key, 'not rolled: config unchanged', mark);
  assert.equal(controller.count(key, 'rolled'), 1);
  const { replicaSets } = await rolloutComplete(c, ns, 'web');
  assert.equal(replicaSets, 2, 'one rollout');
  const reloaded = await eventsFor(c, ns, 'web', 'Reloaded');
  assert.equal(reloaded.length, 1);
});

test('a change outside the maintenance window waits for it, and rolls once when it opens', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const { opens, window } = windowOpeningSoon();
  await createConfigMap(c, ns, 'app-config', { GREETING: 'hello' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('web', usesConfig, { ...AUTO, [WINDOW]: window }),
  });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  await rolloutComplete(c, ns, 'web');

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { GREETING: 'bonjour' });
  const held = await controller.decided(key, HELD, mark);
  assert.equal(held.until, opens.toISOString(), 'held until the window opens');
  await rolledOnceOpen(controller, key, opens, mark);
  await controller.decided(key, 'not rolled: config unchanged', mark);
  assert.equal(controller.count(key, 'rolled'), 1);
  const { replicaSets } = await rolloutComplete(c, ns, 'web');
  assert.equal(replicaSets, 2, 'one rollout');
});
