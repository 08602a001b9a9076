import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseManifests } from '../../tools/helm/render.ts';
import { kustomize } from '../../tools/manifests/install-yaml.ts';
import { clients, eventually, testCluster, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { localImage, startContainer } from './support/image.ts';
import { deployment, eventsFor, replicaSetsOf } from './support/workloads.ts';

/** Where the kubelet mounts a pod's service-account token, CA and namespace. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * How long an old token keeps working after the new one is in the file. The
 * kubelet rotates a token at 80% of its lifetime (at least 10 minutes), so a
 * real pod's old token stays valid for 2 minutes or more, and clients are
 * expected to re-read the file about every minute, as client-go does. 90 s is
 * stricter than any pod sees and still leaves a minute's reader room.
 */
const OLD_TOKEN_GRACE_MS = 90_000;

/**
 * A pod's projected service-account volume, laid out as the kubelet's atomic
 * writer does: the files live in a timestamped directory that `..data` links
 * to, each name links through `..data`, and one rename of `..data` swaps them
 * all at once.
 */
class ServiceAccountVolume {
  readonly dir: string;
  #generations = 0;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<ServiceAccountVolume> {
    const dir = await mkdtemp(path.join(tmpdir(), 'service-account-'));
    // The container's user is not root; the kubelet's files are world-readable too (defaultMode 0644).
    await chmod(dir, 0o755);
    return new ServiceAccountVolume(dir);
  }

  async write(files: Readonly<Record<string, string>>): Promise<void> {
    const generation = `..${new Date().toISOString().replace(/[^0-9]/g, '_')}${this.#generations++}`;
    await mkdir(path.join(this.dir, generation), { mode: 0o755 });
    for (const [name, content] of Object.entries(files))
      await writeFile(path.join(this.dir, generation, name), content, { mode: 0o644 });
    const data = path.join(this.dir, '..data');
    const previous = await readlink(data).catch(() => undefined);
    await symlink(generation, path.join(this.dir, '..data_tmp'));
    await rename(path.join(this.dir, '..data_tmp'), data);
    if (previous === undefined) {
      for (const name of Object.keys(files)) await symlink(path.join('..data', name), path.join(this.dir, name));
    } else {
      await rm(path.join(this.dir, previous), { recursive: true });
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A token for the ServiceAccount, bound to a Secret of its own (TokenRequest's
 * boundObjectRef): deleting that Secret invalidates this token and no other.
 */
async function boundToken(c: Clients, namespace: string, serviceAccount: string, binding: string): Promise<string> {
  const secret = await c.core.createNamespacedSecret({ namespace, body: { metadata: { name: binding } } });
  const request = await c.core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: {
      spec: {
        audiences: [],
        expirationSeconds: 3600,
        boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: binding, uid: secret.metadata?.uid ?? '' },
      },
    },
  });
  const token = request.status?.token;
  assert.ok(token, `a token for ServiceAccount ${namespace}/${serviceAccount}`);
  return token;
}

/** Whether the API server accepts `token` (anything but 401). */
async function accepted(server: string, ca: string, token: string, namespace: string): Promise<boolean> {
  const status = await new Promise<number>((resolve, reject) => {
    https
      .get(
        `${server}/api/v1/namespaces/${namespace}/configmaps?limit=1`,
        { ca, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
      .on('error', reject);
  });
  return status !== 401;
}

/** The namespaced install's ServiceAccount, Role and RoleBinding, moved into `namespace`. */
async function installNamespacedRbac(c: Clients, namespace: string): Promise<string> {
  const objects = (
    parseManifests(kustomize('deploy/kustomize/overlays/namespaced')) as (KubernetesObject & {
      subjects?: { namespace?: string }[];
    })[]
  ).filter((o) => o.kind === 'ServiceAccount' || o.kind === 'Role' || o.kind === 'RoleBinding');
  assert.deepEqual(objects.map((o) => o.kind).sort(), ['Role', 'RoleBinding', 'ServiceAccount']);
  const api = KubernetesObjectApi.makeApiClient(c.kubeConfig);
  for (const object of objects) {
    for (const subject of object.subjects ?? []) subject.namespace = namespace;
    (object.metadata ??= {}).namespace = namespace;
    await api.create(object);
  }
  return objects.find((o) => o.kind === 'ServiceAccount')?.metadata?.name ?? '';
}

test('in a pod-like container with in-cluster credentials, the controller keeps rolling after its service-account token rotates and the old token is invalidated', async (t) => {
  const image = await localImage();
  const c = clients();
  const ns = await testNamespace(t, c);
  const serviceAccount = await installNamespacedRbac(c, ns);
  const server = new URL(testCluster().server);
  const ca = await eventually(
    "the namespace's kube-root-ca.crt ConfigMap",
    async () => (await c.core.readNamespacedConfigMap({ namespace: ns, name: 'kube-root-ca.crt' })).data?.['ca.crt'],
  );

  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });

  const volume = await ServiceAccountVolume.create();
  t.after(() => volume.remove());
  const first = await boundToken(c, ns, serviceAccount, 'token-binding-1');
  await volume.write({ token: first, 'ca.crt': ca, namespace: ns });

  const name = `mini-reloader-${ns}`.slice(0, 60);
  const container = startContainer(
    t,
    name,
    image,
    [
      '-e',
      `KUBERNETES_SERVICE_HOST=${server.hostname}`,
      '-e',
      `KUBERNETES_SERVICE_PORT=${server.port}`,
      '-e',
      `POD_NAMESPACE=${ns}`,
      '-e',
      `POD_NAME=${name}`,
      '-v',
      `${volume.dir}:${SERVICE_ACCOUNT_DIR}:ro`,
    ],
    [`--namespaces=${ns}`, '--metrics-address=127.0.0.1:0', '--log-level=debug', '--debounce=1s'],
  );
  await container.synced();
  const key = `Deployment/${ns}/web`;
  await container.decided(key, 'adopted');
  let mark = container.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await container.decided(key, 'rolled', mark);

  const rotated = container.mark();
  await volume.write({
    token: await boundToken(c, ns, serviceAccount, 'token-binding-2'),
    'ca.crt': ca,
    namespace: ns,
  });
  await sleep(OLD_TOKEN_GRACE_MS);
  await c.core.deleteNamespacedSecret({ namespace: ns, name: 'token-binding-1' });
  await eventually('the API server to refuse the first token', async () =>
    (await accepted(server.origin, ca, first, ns)) ? undefined : true,
  );

  mark = container.mark();
  await updateConfigMap(c, ns, 'settings', { A: '3' });
  await container.decided(key, 'rolled', mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 3, 'both changes rolled the Deployment');
  await eventually('a Reloaded Event for each roll', async () =>
    (await eventsFor(c, ns, 'web', 'Reloaded')).length >= 2 ? true : undefined,
  );
  const refused = container.lines
    .slice(rotated)
    .filter((l) => l.level >= 40 && /\b401\b|unauthori[sz]ed/i.test(JSON.stringify(l)));
  assert.deepEqual(refused, [], 'no request was refused after the rotation');
  assert.equal(await container.stop(), 0, 'the controller stops cleanly');
});
