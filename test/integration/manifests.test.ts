import { BatchV1Api } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CHART_VALUE_COMBINATIONS, parseManifests, renderChart } from '../../tools/helm/render.ts';
import { INSTALL_YAML, installYaml, kustomize } from '../../tools/manifests/install-yaml.ts';
import { apply, ensureServiceMonitorCrd } from './support/apply.ts';
import { clients, eventually, serviceAccountKubeconfig, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment, eventsFor, replicaSetsOf } from './support/workloads.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
}

const KUSTOMIZATIONS = [
  'deploy/kustomize/base',
  'deploy/kustomize/overlays/namespaced',
  'deploy/kustomize/overlays/ha',
  'deploy/examples/reloader-test',
];

function built(dir: string): Manifest[] {
  return parseManifests(kustomize(dir)) as Manifest[];
}

/** Rules as comparable strings, one per (group, resource, names, verb). */
function grants(rules: readonly Rule[] | undefined): string[] {
  const out: string[] = [];
  for (const r of rules ?? []) {
    for (const g of r.apiGroups ?? [])
      for (const res of r.resources ?? [])
        for (const v of r.verbs ?? [])
          out.push(`${g}/${res}${r.resourceNames === undefined ? '' : `[${r.resourceNames.join(',')}]`}:${v}`);
  }
  return out.sort();
}

function rulesOf(objects: readonly Manifest[], kind: 'ClusterRole' | 'Role', name?: string): string[] {
  return objects
    .filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name))
    .flatMap((o) => grants(o.rules))
    .sort();
}

async function ensureNamespaces(c: Clients, names: readonly string[]): Promise<void> {
  for (const name of names) await c.core.createNamespace({ body: { metadata: { name } } }).catch(() => undefined);
}

test('dist/install.yaml is what npm run manifests builds from deploy/kustomize/base (run it after editing the base)', () => {
  assert.equal(readFileSync(INSTALL_YAML, 'utf8'), installYaml());
});

test('the API server accepts every kustomize build and every chart rendering (server-side dry-run)', async () => {
  const c = clients();
  // Namespaced objects need their namespace; the chart's ServiceMonitor needs its CRD.
  await ensureNamespaces(c, ['mini-reloader', 'reloader-test', 'team-a', 'team-b']);
  await ensureServiceMonitorCrd(eventually);
  for (const dir of KUSTOMIZATIONS) {
    const out = await apply(built(dir), true);
    assert.match(out, /serverside-applied \(server dry run\)/, dir);
  }
  for (const [name, values] of Object.entries(CHART_VALUE_COMBINATIONS)) {
    const objects = await renderChart({ values });
    const out = await apply(objects, true);
    assert.match(out, /serverside-applied \(server dry run\)/, `chart with ${name} values`);
  }
});

test('RBAC: kustomize grants exactly what the chart grants, no write on ConfigMaps or Secrets, leases only with HA', async () => {
  const chartDefault = (await renderChart({})) as Manifest[];
  const chartHa = (await renderChart({ values: { ha: { enabled: true } } })) as Manifest[];
  const base = built('deploy/kustomize/base');
  const namespaced = built('deploy/kustomize/overlays/namespaced');
  const ha = built('deploy/kustomize/overlays/ha');

  assert.deepEqual(rulesOf(base, 'ClusterRole'), rulesOf(chartDefault, 'ClusterRole'));
  assert.deepEqual(rulesOf(base, 'Role'), []);
  assert.deepEqual(rulesOf(namespaced, 'ClusterRole'), []);
  assert.deepEqual(
    rulesOf(namespaced, 'Role'),
    rulesOf(chartDefault, 'ClusterRole').filter((g) => !g.startsWith('/namespaces:')),
    'namespaced mode: the same rules, as a Role, but for Namespaces, which it does not watch',
  );
  assert.deepEqual(rulesOf(ha, 'Role'), rulesOf(chartHa, 'Role'));
  assert.deepEqual(rulesOf(ha, 'Role'), [
    'coordination.k8s.io/leases:create',
    'coordination.k8s.io/leases[mini-reloader]:get',
    'coordination.k8s.io/leases[mini-reloader]:update',
  ]);
  for (const objects of [base, namespaced, ha]) {
    for (const g of [...rulesOf(objects, 'ClusterRole'), ...rulesOf(objects, 'Role')]) {
      assert.doesNotMatch(g, /^\/(configmaps|secrets).*:(create|update|patch|delete|deletecollection)$/, g);
      assert.doesNotMatch(g, /\*/, `no wildcard: ${g}`);
    }
    assert.deepEqual(
      grants(objects.flatMap((o) => o.rules ?? [])).filter((g) => g.includes('/namespaces')),
      objects === namespaced ? [] : ['/namespaces:list', '/namespaces:watch'],
      'namespaces only cluster-wide, and only read',
    );
  }
});

test("RBAC is sufficient: the controller runs as the install's ServiceAccount, with HA, through a real reload of a Deployment and a CronJob", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await ensureNamespaces(c, ['mini-reloader']);
  // Everything of the HA install but the Deployment itself, which the test runs as a process instead.
  await apply(
    built('deploy/kustomize/overlays/ha').filter(
      (o) => !['Deployment', 'PodDisruptionBudget', 'Service'].includes(o.kind),
    ),
    false,
  );
  const kubeconfig = await serviceAccountKubeconfig(t, c, 'mini-reloader', 'mini-reloader');

  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  await c.kubeConfig.makeApiClient(BatchV1Api).createNamespacedCronJob({
    namespace: ns,
    body: {
      metadata: { name: 'nightly', annotations: AUTO },
      spec: {
        schedule: '0 0 1 1 *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'task', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }],
              },
            },
          },
        },
      },
    },
  });
  const controller = await startController(
    t,
    undefined,
    [
      '--enable-ha',
      '--pod-name=installed-replica',
      '--pod-namespace=mini-reloader',
      '--leader-election-lease-duration=4s',
      '--leader-election-renew-deadline=3s',
      '--leader-election-retry-period=500ms',
    ],
    kubeconfig,
  );
  await controller.waitFor('leadership', (l) => l.msg.startsWith('leading'));
  await controller.decided(`Deployment/${ns}/web`, 'adopted');
  await controller.decided(`CronJob/${ns}/nightly`, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`Deployment/${ns}/web`, 'rolled', mark);
  await controller.decided(`CronJob/${ns}/nightly`, 'rolled', mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2);
  assert.ok((await eventsFor(c, ns, 'web', 'Reloaded')).length > 0, 'the Reloaded Event was created');
  const jobs = await c.kubeConfig.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns });
  assert.equal(jobs.items.length, 1, 'the rolled CronJob started one Job');
  const refused = controller.lines.filter((l) => l.level >= 40 && /forbidden|403/i.test(JSON.stringify(l)));
  assert.deepEqual(refused, [], 'nothing was refused');
  await controller.stop();
});

test('deploy/examples/reloader-test: applied as is, its controller rolls the test app when its ConfigMap is edited', async (t) => {
  const c = clients();
  const objects = built('deploy/examples/reloader-test');
  assert.ok(
    objects.every(
      (o) => o.kind === 'Namespace' || o.kind.startsWith('Cluster') || o.metadata.namespace === 'reloader-test',
    ),
    'everything lands in reloader-test',
  );
  await apply(objects, false);
  // The example's controller pods are kwok's and run nothing: the controller runs here, as the example's ServiceAccount.
  const kubeconfig = await serviceAccountKubeconfig(t, c, 'reloader-test', 'reloader-test-mini-reloader');
  const controller = await startController(
    t,
    undefined,
    [
      '--enable-ha',
      '--pod-name=example-replica',
      '--pod-namespace=reloader-test',
      '--leader-election-lease-duration=4s',
      '--leader-election-renew-deadline=3s',
      '--leader-election-retry-period=500ms',
    ],
    kubeconfig,
  );
  await controller.waitFor('leadership', (l) => l.msg.startsWith('leading'));
  const key = 'Deployment/reloader-test/test-app';
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, 'reloader-test', 'test-app-config', {
    APP_TITLE: 'Edited',
    APP_COLOR: 'tomato',
    SITE_NAME: 'reloader-test',
  });
  await controller.decided(key, 'rolled', mark);
  assert.equal((await replicaSetsOf(c, 'reloader-test', 'test-app')).length, 2);
  await controller.stop();
});
