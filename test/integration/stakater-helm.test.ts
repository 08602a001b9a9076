import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { migrateStakaterValues } from '../../src/migrate/stakater-values.ts';
import { renderChart } from '../../tools/helm/render.ts';
import { apply, ensureServiceMonitorCrd } from './support/apply.ts';
import { clients, eventually, serviceAccountKubeconfig, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment, replicaSetsOf } from './support/workloads.ts';

const FIXTURES_DIR = path.join(import.meta.dirname, '..', 'unit', 'helm', 'stakater-values');

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
}
interface DeploymentManifest extends Manifest {
  spec: {
    template: {
      spec: { serviceAccountName: string; containers: { args: string[]; env: { name: string; value?: string }[] }[] };
    };
  };
}

test('the API server accepts the chart rendered from each Stakater values file, and from what migrate-values writes of it (server-side dry run)', async () => {
  const c = clients();
  for (const name of ['mini-reloader', 'team-a', 'team-b', 'monitoring'])
    await c.core.createNamespace({ body: { metadata: { name } } }).catch(() => undefined);
  await ensureServiceMonitorCrd(eventually);
  for (const file of readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.yaml'))) {
    const values = parse(readFileSync(path.join(FIXTURES_DIR, file), 'utf8')) as Record<string, unknown>;
    for (const [what, rendered] of [
      ['as is', values],
      ['migrated', migrateStakaterValues(values).values],
    ] as const) {
      const out = await apply(await renderChart({ values: rendered }), true);
      assert.match(out, /serverside-applied \(server dry run\)/, `${file} ${what}`);
    }
  }
});

test("a Stakater values file, installed: the controller runs as the rendered ServiceAccount with the rendered flags through one reload, Stakater's way", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  // Stakater's single-namespace mode with HA, as a user's values file would have it.
  const values = {
    image: { repository: 'ghcr.io/pelabs/mini-reloader' },
    fullnameOverride: 'reloader',
    reloader: {
      watchGlobally: false,
      enableHA: true,
      deployment: { replicas: 2, env: { open: { ALERT_ON_RELOAD: 'false' } } },
      ignoreJobs: true,
      ignoreCronJobs: true,
    },
  };
  const objects = (await renderChart({ values, namespace: ns })) as Manifest[];
  assert.ok(
    objects.every((o) => o.kind !== 'ClusterRole'),
    'single-namespace mode: Roles only',
  );
  // Everything but the Deployment and its PDB, whose pods kwok would only pretend to run: the controller runs here instead.
  await apply(
    objects.filter((o) => !['Deployment', 'PodDisruptionBudget'].includes(o.kind)),
    false,
  );
  const rendered = objects.find((o): o is DeploymentManifest => o.kind === 'Deployment');
  assert.ok(rendered !== undefined);
  const pod = rendered.spec.template.spec;
  const [container] = pod.containers;
  assert.ok(container !== undefined);
  const [command, ...renderedArgs] = container.args;
  assert.equal(command, 'run');
  assert.ok(
    renderedArgs.includes('--stakater-defaults=true') && renderedArgs.includes(`--namespaces=${ns}`),
    renderedArgs.join(' '),
  );
  const kubeconfig = await serviceAccountKubeconfig(t, c, ns, pod.serviceAccountName);

  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  const env = Object.fromEntries(container.env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
  const controller = await startController(
    t,
    undefined,
    [
      ...renderedArgs,
      // POD_NAME and POD_NAMESPACE come from the downward API in a pod; JSON logs so the test can read them; a short lease for a quick start.
      '--pod-name=installed-replica',
      `--pod-namespace=${ns}`,
      '--log-format=json',
      '--leader-election-lease-duration=4s',
      '--leader-election-renew-deadline=3s',
      '--leader-election-retry-period=500ms',
    ],
    kubeconfig,
    env,
  );
  await controller.waitFor('leadership', (l) => l.msg.startsWith('leading'));
  await controller.decided(`Deployment/${ns}/web`, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`Deployment/${ns}/web`, 'rolled', mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2);
  const web = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
  const marks = web.spec?.template.spec?.containers[0]?.env?.map((e) => e.name) ?? [];
  assert.ok(
    marks.includes('STAKATER_SETTINGS_CONFIGMAP'),
    `Stakater's env-vars strategy, from stakaterDefaults: ${marks.join(', ')}`,
  );
  const refused = controller.lines.filter((l) => l.level >= 40 && /forbidden|403/i.test(JSON.stringify(l)));
  assert.deepEqual(refused, [], 'nothing was refused');
  await controller.stop();
});
