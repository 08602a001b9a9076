import { AppsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../../../src/kube/api-client.ts';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.ts';
import { LocalCluster } from '../../../tools/cluster/local-cluster.ts';

/** MINI_RELOADER_TEST_CLUSTER lets two runs on one machine keep their own control planes. */
export const TEST_CLUSTER_NAME = process.env.MINI_RELOADER_TEST_CLUSTER ?? 'mini-reloader-test';

/** The run's shared cluster; throws (never skips) when it is not running. */
export function testCluster(): LocalCluster {
  const cluster = LocalCluster.attach(TEST_CLUSTER_NAME);
  if (cluster === undefined || !cluster.isRunning('kube-apiserver')) {
    throw new Error(
      `the test control plane "${TEST_CLUSTER_NAME}" is not running; integration tests start it through --test-global-setup (npm run test:integration)`,
    );
  }
  return cluster;
}

export interface Clients {
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
}

export function clients(cluster: LocalCluster = testCluster()): Clients {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfigPath);
  return {
    kubeconfigPath: cluster.kubeconfigPath,
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
  };
}

/** The project's own API client, with the same kubeconfig read by the project's own loader. */
export async function apiClient(c: Clients): Promise<ApiClient> {
  return new ApiClient(await loadKubeConfig(c.kubeconfigPath));
}

/**
 * A fresh namespace for one test, deleted when the test ends. Each test
 * starts on a whole control plane: a client component that crashed during an
 * earlier test is started again first.
 */
export async function testNamespace(t: TestContext, c: Clients): Promise<string> {
  const restarted = LocalCluster.attach(TEST_CLUSTER_NAME)?.restartExitedClients() ?? [];
  if (restarted.length > 0) console.error(`[cluster] started again after they exited: ${restarted.join(', ')}`);
  const name = `t-${t.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '')}-${Math.random().toString(36).slice(2, 7)}`;
  await c.core.createNamespace({ body: { metadata: { name } } });
  t.after(async () => {
    await c.core.deleteNamespace({ name }).catch(() => undefined);
  });
  return name;
}

/**
 * Polls until check returns a value other than undefined. On timeout the error
 * says what was awaited and the last thing seen, so a red test explains itself.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : String(last)}`,
      );
    }
    await sleep(200);
  }
}

/**
 * A kubeconfig that authenticates as a ServiceAccount with a fresh token
 * (TokenRequest), so a controller run with it has exactly that account's RBAC.
 */
export async function serviceAccountKubeconfig(
  t: TestContext,
  c: Clients,
  namespace: string,
  name: string,
): Promise<string> {
  const request = await c.core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  assert.ok(token, `a token for ServiceAccount ${namespace}/${name}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sa-kubeconfig-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeconfig = path.join(dir, 'kubeconfig');
  const restricted = new KubeConfig();
  restricted.loadFromOptions({
    clusters: c.kubeConfig.clusters,
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: c.kubeConfig.getCurrentCluster()?.name ?? '', user: 'sa' }],
    currentContext: 'sa',
  });
  writeFileSync(kubeconfig, restricted.exportConfig(), { mode: 0o600 });
  return kubeconfig;
}

/** A Role `name` in `namespace` with `rules`, bound to the ServiceAccount `account`. */
export async function grant(
  c: Clients,
  namespace: string,
  account: { namespace: string; name: string },
  rules: V1PolicyRule[],
  name = 'mini-reloader',
): Promise<void> {
  const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', ...account }],
    },
  });
}
