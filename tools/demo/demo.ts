import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveBinaries } from '../cluster/binaries.ts';
import { LocalCluster } from '../cluster/local-cluster.ts';

const CLUSTER = 'mini-reloader';
const NS = 'demo';
const root = path.join(import.meta.dirname, '..', '..');

const say = (line: string): void => {
  console.log(`\n== ${line}`);
};
const note = (line: string): void => {
  console.log(`   ${line}`);
};

const app: V1Deployment = {
  metadata: { name: 'web', annotations: { 'reloader.stakater.com/auto': 'true' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'registry.invalid/web:1',
            envFrom: [{ configMapRef: { name: 'web-config' } }],
            env: [{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'token' } } }],
          },
        ],
      },
    },
  },
};

async function rolloutState(apps: AppsV1Api): Promise<{ done: boolean; text: string; replicaSet: string }> {
  const d = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
  const want = d.spec?.replicas ?? 0;
  const s = d.status ?? {};
  const sets = (await apps.listNamespacedReplicaSet({ namespace: NS })).items.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.name === 'web'),
  );
  const live = sets.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
  const done =
    s.observedGeneration === d.metadata?.generation &&
    s.updatedReplicas === want &&
    s.availableReplicas === want &&
    s.replicas === want &&
    live.length === 1;
  const newest = sets.sort(
    (a, b) =>
      Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) -
      Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
  )[0];
  return {
    done,
    replicaSet: newest?.metadata?.name ?? '-',
    text: `ReplicaSets: ${sets.map((rs) => `${rs.metadata?.name ?? '?'}=${rs.status?.readyReplicas ?? 0}/${rs.spec?.replicas ?? 0}`).join(' ')} | updated ${s.updatedReplicas ?? 0}/${want}, available ${s.availableReplicas ?? 0}/${want}`,
  };
}

async function watchRollout(apps: AppsV1Api, core: CoreV1Api, previousReplicaSet: string): Promise<string> {
  let last = '';
  const deadline = Date.now() + 120_000;
  for (;;) {
    const state = await rolloutState(apps);
    if (state.text !== last) note(state.text);
    last = state.text;
    if (state.done && state.replicaSet !== previousReplicaSet) {
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' });
      const running = pods.items.filter(
        (p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined,
      );
      note(`rollout complete: ${running.length} pods Running from ReplicaSet ${state.replicaSet}`);
      return state.replicaSet;
    }
    if (Date.now() > deadline) throw new Error('the rollout did not finish within 2 minutes');
    await sleep(300);
  }
}

async function lastReloadedEvent(core: CoreV1Api): Promise<string | undefined> {
  const events = await core.listNamespacedEvent({
    namespace: NS,
    fieldSelector: 'involvedObject.name=web,reason=Reloaded',
  });
  const newestFirst = events.items.sort((a, b) =>
    String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')),
  );
  const last = newestFirst[0];
  return last === undefined ? undefined : `${last.reason ?? ''}: ${last.message ?? ''}`;
}

async function main(): Promise<void> {
  say('Starting a local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok fake nodes)');
  const started = Date.now();
  const cluster = await LocalCluster.start(CLUSTER, { log: note });
  note(`ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  say('Starting mini-reloader (log lines prefixed "controller")');
  const controller = spawn(
    process.execPath,
    [
      path.join(root, 'src', 'cli.ts'),
      'run',
      `--kubeconfig=${cluster.kubeconfigPath}`,
      '--log-format=text',
      '--metrics-address=127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [controller.stdout, controller.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (!line.includes('level=debug')) console.log(`   controller | ${line}`);
    });
  }
  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    stopping = true;
    controller.kill('SIGTERM');
    await LocalCluster.destroy(CLUSTER);
    process.exit(code);
  };
  controller.on('exit', (code) => {
    if (!stopping) {
      console.error(`mini-reloader exited unexpectedly (code ${String(code)})`);
      void shutdown(1);
    }
  });
  process.once('SIGINT', () => {
    void shutdown(0);
  });
  process.once('SIGTERM', () => {
    void shutdown(0);
  });

  say(
    `Applying a sample app in namespace "${NS}": Deployment web (auto-reload) using ConfigMap web-config and Secret web-secret`,
  );
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'web-config' }, data: { GREETING: 'hello', COLOR: 'blue' } },
  });
  await core.createNamespacedSecret({
    namespace: NS,
    body: { metadata: { name: 'web-secret' }, stringData: { token: 'first-token', unused: 'x' } },
  });
  await apps.createNamespacedDeployment({ namespace: NS, body: app });
  let replicaSet = await watchRollout(apps, core, '');
  await sleep(3000);

  say('Editing ConfigMap web-config: COLOR blue -> green');
  await core.patchNamespacedConfigMap({
    name: 'web-config',
    namespace: NS,
    body: [{ op: 'replace', path: '/data/COLOR', value: 'green' }],
  });
  replicaSet = await watchRollout(apps, core, replicaSet);
  note(`event on the Deployment: ${(await lastReloadedEvent(core)) ?? '(none yet)'}`);

  say('Editing a Secret key the app does not use (web-secret/unused): key-level tracking rolls nothing');
  await core.patchNamespacedSecret({
    name: 'web-secret',
    namespace: NS,
    body: [{ op: 'replace', path: '/data/unused', value: Buffer.from('y').toString('base64') }],
  });
  await sleep(5000);
  const after = await rolloutState(apps);
  note(
    after.replicaSet === replicaSet
      ? `still on ReplicaSet ${replicaSet}: nothing rolled`
      : `unexpected: now on ${after.replicaSet}`,
  );

  say('Editing the Secret key it does use (web-secret/token)');
  await core.patchNamespacedSecret({
    name: 'web-secret',
    namespace: NS,
    body: [{ op: 'replace', path: '/data/token', value: Buffer.from('second-token').toString('base64') }],
  });
  await watchRollout(apps, core, replicaSet);
  note(`event on the Deployment: ${(await lastReloadedEvent(core)) ?? '(none yet)'}`);

  if (!process.stdin.isTTY) {
    say('Done. Stopping the controller and the cluster.');
    await shutdown(0);
  }
  const kubectl = resolveBinaries().kubectl;
  say('Try it by hand in another terminal:');
  note(`export KUBECONFIG=${cluster.kubeconfigPath}`);
  note(`${kubectl} -n ${NS} edit configmap web-config`);
  note(`${kubectl} -n ${NS} get replicasets,pods -w`);
  note('Press Ctrl-C here to stop the controller and the cluster.');
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  await LocalCluster.destroy(CLUSTER);
  process.exit(1);
});
