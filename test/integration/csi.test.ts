import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  apiClient,
  clients,
  eventually,
  grant,
  serviceAccountKubeconfig,
  testNamespace,
  type Clients,
} from './support/cluster.ts';
import { AUTO, createConfigMap } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { deployment, rolloutComplete } from './support/workloads.ts';

const ADOPTED = 'adopted';
const ROLLED = 'rolled';
const UNCHANGED = 'not rolled: config unchanged';
const CSI = '/apis/secrets-store.csi.x-k8s.io/v1';
const ENV_NAME = 'STAKATER_VAULT_DB_SECRETPROVIDERCLASS';

type Json = Record<string, unknown>;

/** The driver's two CRDs, reduced to what the controller reads: any fields kept, status written with the object. */
function crd(kind: string, plural: string): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.secrets-store.csi.x-k8s.io` },
    spec: {
      group: 'secrets-store.csi.x-k8s.io',
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

const CRDS = [
  crd('SecretProviderClass', 'secretproviderclasses'),
  crd('SecretProviderClassPodStatus', 'secretproviderclasspodstatuses'),
];

async function installCsiCrds(t: TestContext, c: Clients): Promise<void> {
  const api = await apiClient(c);
  for (const body of CRDS) {
    await api.json({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body });
    const name = (body['metadata'] as { name: string }).name;
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;
    t.after(async () => {
      await api.json({ method: 'DELETE', path }).catch(() => undefined);
      // Gone for good, so that the next test can install it afresh.
      await eventually(
        `${name} to be deleted`,
        async () =>
          (await api.json({ method: 'GET', path }).then(
            () => false,
            () => true,
          )) || undefined,
      );
    });
  }
  for (const plural of ['secretproviderclasses', 'secretproviderclasspodstatuses']) {
    await eventually(`${plural} to be served`, async () =>
      (await api.json({ method: 'GET', path: `${CSI}/${plural}` }).catch(() => undefined)) === undefined
        ? undefined
        : true,
    );
  }
}

/** A Deployment `web` that mounts the class `vault-db` through a CSI volume, and the class itself. */
async function webMountingClass(
  c: Clients,
  ns: string,
  annotations: Record<string, string>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await (
    await apiClient(c)
  ).json({
    method: 'POST',
    path: `${CSI}/namespaces/${ns}/secretproviderclasses`,
    body: {
      apiVersion: 'secrets-store.csi.x-k8s.io/v1',
      kind: 'SecretProviderClass',
      metadata: { name: 'vault-db' },
      spec: { provider: 'vault' },
    },
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        containers: [
          {
            name: 'app',
            image: 'x',
            volumeMounts: [{ name: 'secrets', mountPath: '/mnt/secrets', readOnly: true }],
            ...extra,
          },
        ],
        volumes: [
          {
            name: 'secrets',
            csi: {
              driver: 'secrets-store.csi.k8s.io',
              readOnly: true,
              volumeAttributes: { secretProviderClass: 'vault-db' },
            },
          },
        ],
      },
      annotations,
    ),
  });
}

/** What the driver writes for one pod's mount: the class and the version of each object mounted. */
async function writePodStatus(c: Clients, ns: string, pod: string, versions: Record<string, string>): Promise<void> {
  const api = await apiClient(c);
  const path = `${CSI}/namespaces/${ns}/secretproviderclasspodstatuses`;
  const name = `${pod}-${ns}-vault-db`;
  const status = {
    podName: pod,
    secretProviderClassName: 'vault-db',
    mounted: true,
    objects: Object.entries(versions).map(([id, version]) => ({ id, version })),
  };
  const existing = await api.json<Json>({ method: 'GET', path: `${path}/${name}` }).catch(() => undefined);
  if (existing === undefined) {
    await api.json({
      method: 'POST',
      path,
      body: {
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        kind: 'SecretProviderClassPodStatus',
        metadata: { name },
        status,
      },
    });
  } else {
    await api.json({ method: 'PUT', path: `${path}/${name}`, body: { ...existing, status } });
  }
}

async function revision(c: Clients, ns: string): Promise<number> {
  const { metadata } = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  return Number(metadata?.annotations?.['deployment.kubernetes.io/revision']);
}

/** Waits for `outcome`, then for the reconcile after it to find nothing to do; `outcome` came exactly once since `from`. */
async function settles(controller: ControllerProcess, key: string, outcome: string, from: number): Promise<void> {
  const done = await controller.decided(key, outcome, from);
  await controller.decided(key, UNCHANGED, controller.lines.indexOf(done));
  assert.equal(
    controller.lines.slice(from).filter((l) => l.workload === key && l.msg.startsWith(outcome)).length,
    1,
    `${outcome} once`,
  );
}

test('CSI: with --enable-csi-integration, CRDs installed after start are picked up, and a pod status with new versions rolls the workload that mounts the class once, with STAKATER_<NAME>_SECRETPROVIDERCLASS', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const controller = await startController(t, ns, ['--enable-csi-integration', '--reload-strategy=env-vars']);
  await installCsiCrds(t, c);
  await webMountingClass(c, ns, { 'secretproviderclass.reloader.stakater.com/auto': 'true' });
  const key = `Deployment/${ns}/web`;
  await writePodStatus(c, ns, 'web-1', { 'db-password': '1', 'db-user': '1' });
  await writePodStatus(c, ns, 'web-2', { 'db-password': '1', 'db-user': '1' });
  await controller.decided(key, ADOPTED);

  // One pod rotated: a tie, which goes to the versions seen last.
  const mark = controller.mark();
  await writePodStatus(c, ns, 'web-1', { 'db-password': '2', 'db-user': '1' });
  await settles(controller, key, ROLLED, mark);
  await rolloutComplete(c, ns, 'web');
  assert.equal(await revision(c, ns), 2, 'one rollout');
  // The other pod catches up: the class's versions stay the same, so nothing is queued (the revisions below count it).
  await writePodStatus(c, ns, 'web-2', { 'db-password': '2', 'db-user': '1' });
  const { spec } = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  const env = spec?.template.spec?.containers[0]?.env ?? [];
  assert.ok(
    env.some((e) => e.name === ENV_NAME && /^[0-9a-f]{22}$/.test(e.value ?? '')),
    `${ENV_NAME} set on the container that mounts the class: ${JSON.stringify(env)}`,
  );

  // Rotated while the controller was down: the restart rolls once.
  await controller.kill();
  await writePodStatus(c, ns, 'web-1', { 'db-password': '3', 'db-user': '1' });
  await writePodStatus(c, ns, 'web-2', { 'db-password': '3', 'db-user': '1' });
  const restarted = await startController(t, ns, ['--enable-csi-integration', '--reload-strategy=env-vars']);
  await settles(restarted, key, ROLLED, 0);
  await rolloutComplete(c, ns, 'web');
  assert.equal(await revision(c, ns), 3, 'one rollout for the change made while down, none for the pod that caught up');
});

test('CSI: without --enable-csi-integration, new versions in a pod status roll nothing', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await installCsiCrds(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await webMountingClass(
    c,
    ns,
    { ...AUTO, 'secretproviderclass.reloader.stakater.com/auto': 'true' },
    { envFrom: [{ configMapRef: { name: 'settings' } }] },
  );
  await writePodStatus(c, ns, 'web-1', { 'db-password': '1' });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  await writePodStatus(c, ns, 'web-1', { 'db-password': '2' });
  // An edit of a steering annotation that changes nothing makes the controller look at the workload again.
  const mark = controller.mark();
  await (
    await apiClient(c)
  ).json({
    method: 'PATCH',
    path: `/apis/apps/v1/namespaces/${ns}/deployments/web`,
    contentType: 'application/merge-patch+json',
    body: { metadata: { annotations: { 'reloader.stakater.com/search': 'false' } } },
  });
  await controller.decided(key, UNCHANGED, mark);
  assert.equal(
    controller.lines.filter((l) => l.workload === key && l.msg.startsWith(ROLLED)).length,
    0,
    'never rolled',
  );
  assert.equal(await revision(c, ns), 1);
});

test('CSI: while the pod statuses may not be listed, a workload that mounts a class is held, not adopted against versions it cannot see; the one beside it is served, and the held one is adopted once the list is permitted', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await installCsiCrds(t, c);
  const account = { namespace: ns, name: 'mini-reloader' };
  await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: account.name } } });
  const read = ['get', 'list', 'watch'];
  await grant(c, ns, account, [
    { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: read },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: [...read, 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: ['secrets-store.csi.x-k8s.io'], resources: ['secretproviderclasses'], verbs: read },
  ]);
  const kubeconfig = await serviceAccountKubeconfig(t, c, ns, account.name);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await webMountingClass(c, ns, { 'secretproviderclass.reloader.stakater.com/auto': 'true' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'plain',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  await writePodStatus(c, ns, 'web-1', { 'db-password': '1' });

  const controller = await startController(t, ns, ['--enable-csi-integration'], kubeconfig);
  const web = `Deployment/${ns}/web`;
  await controller.waitFor(
    'the refused pod-status list',
    (l) => l.resource === 'secretproviderclasspodstatuses' && l.verb === 'list',
  );
  await controller.decided(`Deployment/${ns}/plain`, ADOPTED);
  await controller.decided(web, 'held');
  const held = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
  assert.equal(held.metadata?.annotations?.['mini-reloader.pelabs/config-hash-record'], undefined, 'not adopted');
  assert.equal(controller.count(web, ADOPTED), 0);

  await grant(
    c,
    ns,
    account,
    [{ apiGroups: ['secrets-store.csi.x-k8s.io'], resources: ['secretproviderclasspodstatuses'], verbs: read }],
    'csi-pod-statuses',
  );
  await controller.decided(web, ADOPTED);
  // Adopted against the versions the pods see: a rotation now rolls it.
  const mark = controller.mark();
  await writePodStatus(c, ns, 'web-1', { 'db-password': '2' });
  await settles(controller, web, ROLLED, mark);
});
