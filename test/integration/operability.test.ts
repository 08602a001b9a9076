import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, eventually, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment } from './support/workloads.ts';

test("probes report liveness and readiness, and /metrics counts rolls under our and Stakater's names, by namespace when asked", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] },
      AUTO,
    ),
  });
  const controller = await startController(t, ns, [], undefined, { METRICS_COUNT_BY_NAMESPACE: 'enabled' });
  const started = await controller.waitFor('its start line', (l) => l.msg === 'mini-reloader started');
  const base = `http://127.0.0.1:${String(started.port)}`;

  assert.equal((await fetch(`${base}/readyz`)).status, 200, 'ready once caches synced');
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  assert.equal((await fetch(`${base}/live`)).status, 200);
  assert.equal((await fetch(`${base}/nope`)).status, 404);

  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await controller.decided(key, 'rolled', mark);
  const text = await eventually('metrics to show the roll', async () => {
    const body = await (await fetch(`${base}/metrics`)).text();
    // The roll's own write comes back through the watch and is found unchanged: Stakater's no_data_change skip.
    return body.includes('reloader_reload_executed_total{success="true"} 1') &&
      body.includes('reloader_skipped_total{reason="no_data_change"}')
      ? body
      : undefined;
  });
  assert.match(text, /^mini_reloader_rolls_total\{kind="Deployment",result="success"\} 1$/m);
  assert.match(text, /^reloader_action_total\{workload_kind="Deployment",result="success"\} 1$/m);
  assert.match(
    text,
    new RegExp(`^reloader_reload_executed_total_by_namespace\\{success="true",namespace="${ns}"\\} 1$`, 'm'),
  );
  assert.match(text, /^reloader_workqueue_depth 0$/m);
  assert.match(text, /^mini_reloader_reconcile_total\{result="adopted"\} 1$/m);
  assert.match(text, /^mini_reloader_relists_total\{resource="configmaps",reason="initial"\} 1$/m);
  assert.match(text, /^mini_reloader_workqueue_depth 0$/m);
  assert.match(text, /^mini_reloader_cache_objects\{resource="configmaps"\} \d+$/m);
});
