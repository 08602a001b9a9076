import type { V1Container } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { receiver } from '../support/http-receivers.ts';
import { apiClient, clients, eventually, testCluster, testNamespace, type Clients } from './support/cluster.ts';
import {
  AUTO,
  createConfigMap,
  createSecret,
  HASH_ANNOTATION,
  updateConfigMap,
  updateSecret,
} from './support/config.ts';
import { ControllerProcess, startController } from './support/controller.ts';
import { deployment, replicaSetsOf, rolloutComplete } from './support/workloads.ts';

/*
 * Stakater Reloader's documented scenarios, on the real control plane. Where
 * mini-reloader deliberately differs, the test name says so.
 */

const ADOPTED = 'adopted';
const ROLLED = 'rolled';
const UNCHANGED = 'not rolled: config unchanged';
const RECORDED = 'recorded without rolling';
const LAST_RELOADED_FROM = 'reloader.stakater.com/last-reloaded-from';

type Json = Record<string, unknown>;

async function getJson(c: Clients, path: string): Promise<Json> {
  return (await apiClient(c)).json<Json>({ method: 'GET', path });
}

async function post(c: Clients, path: string, body: unknown): Promise<void> {
  await (await apiClient(c)).json({ method: 'POST', path, body });
}

function at(obj: unknown, ...path: (string | number)[]): unknown {
  let node = obj;
  for (const p of path) node = (node as Record<string | number, unknown> | undefined)?.[p];
  return node;
}

const envFrom = (
  name: string,
  kind: 'configMapRef' | 'secretRef' = 'configMapRef',
  optional = false,
): { [k: string]: { name: string; optional: boolean } } => ({ [kind]: { name, optional } });

test('env-vars strategy: STAKATER_<NAME>_CONFIGMAP goes on the container that uses the ConfigMap, one rollout per change', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app.config-v2', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        containers: [
          { name: 'sidecar', image: 'x' },
          { name: 'app', image: 'x', envFrom: [envFrom('app.config-v2')] },
        ],
      },
      AUTO,
    ),
  });
  const controller = await startController(t, ns, ['--reload-strategy=env-vars']);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  await rolloutComplete(c, ns, 'web');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app.config-v2', { A: '2' });
  await controller.decided(key, ROLLED, mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
  const d = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  const [sidecar, app] = d.spec?.template.spec?.containers ?? [];
  assert.deepEqual(
    app?.env?.map((e) => e.name),
    ['STAKATER_APP_CONFIG_V2_CONFIGMAP'],
  );
  assert.equal(sidecar?.env, undefined);
  assert.equal(d.spec?.template.metadata?.annotations?.[HASH_ANNOTATION], undefined);
});

test('annotations strategy: last-reloaded-from is written once per change and stays put across restarts (Stakater rewrites it on every event)', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await webUsingSettings(c, ns);
  const first = await startController(t, ns, ['--reload-strategy=annotations']);
  const key = `Deployment/${ns}/web`;
  await first.decided(key, ADOPTED);
  const mark = first.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await first.decided(key, ROLLED, mark);
  await rolloutComplete(c, ns, 'web');
  const written =
    (await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.template.metadata?.annotations?.[
      LAST_RELOADED_FROM
    ] ?? '';
  const parsed = JSON.parse(written) as Json;
  assert.deepEqual(
    { type: parsed.type, name: parsed.name, namespace: parsed.namespace, containerRefs: parsed.containerRefs },
    { type: 'CONFIGMAP', name: 'settings', namespace: ns, containerRefs: ['app'] },
  );
  await first.stop();

  const second = await startController(t, ns, ['--reload-strategy=annotations']);
  await second.decided(key, UNCHANGED);
  const after = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.equal(after.spec?.template.metadata?.annotations?.[LAST_RELOADED_FROM], written);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2);
});

test('switching strategy rolls nothing by itself; the next change rolls once and swaps the marks', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await webUsingSettings(c, ns);
  const key = `Deployment/${ns}/web`;
  const hash = await startController(t, ns);
  await hash.decided(key, ADOPTED);
  let mark = hash.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await hash.decided(key, ROLLED, mark);
  await rolloutComplete(c, ns, 'web');
  await hash.stop();

  const envVars = await startController(t, ns, ['--reload-strategy=env-vars']);
  await envVars.decided(key, UNCHANGED);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2, 'the switch alone rolled nothing');
  mark = envVars.mark();
  await updateConfigMap(c, ns, 'settings', { A: '3' });
  await envVars.decided(key, ROLLED, mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 3, 'one rollout for the change, none for the swap');
  const template = (await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.template;
  assert.equal(template?.metadata?.annotations?.[HASH_ANNOTATION], undefined, 'the old mark went in the same write');
  assert.deepEqual(
    template?.spec?.containers[0]?.env?.map((e) => e.name),
    ['STAKATER_SETTINGS_CONFIGMAP'],
  );
});

test('CronJob: a change updates the job template and starts one Job; a suspended CronJob is updated but never run (Stakater runs it)', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  const cronJob = (name: string, suspend: boolean): Json => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, annotations: AUTO },
    spec: {
      schedule: '0 0 1 1 *',
      suspend,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'task', image: 'x', envFrom: [envFrom('settings')] }],
            },
          },
        },
      },
    },
  });
  await post(c, `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('nightly', false));
  await post(c, `/apis/batch/v1/namespaces/${ns}/cronjobs`, cronJob('stopped', true));
  const controller = await startController(t, ns);
  await controller.decided(`CronJob/${ns}/nightly`, ADOPTED);
  await controller.decided(`CronJob/${ns}/stopped`, ADOPTED);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`CronJob/${ns}/nightly`, ROLLED, mark);
  await controller.decided(`CronJob/${ns}/stopped`, ROLLED, mark);
  for (const name of ['nightly', 'stopped']) {
    const cj = await getJson(c, `/apis/batch/v1/namespaces/${ns}/cronjobs/${name}`);
    assert.match(
      String(at(cj, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'annotations', HASH_ANNOTATION)),
      /^[0-9a-f]{64}$/,
      `${name}: future runs get the new config`,
    );
  }
  const jobs = (await getJson(c, `/apis/batch/v1/namespaces/${ns}/jobs`)).items as Json[];
  const owners = jobs.map((j) => at(j, 'metadata', 'ownerReferences', 0, 'name'));
  assert.deepEqual(owners, ['nightly'], 'one run of the active CronJob, none of the suspended one');
  assert.match(String(at(jobs[0], 'metadata', 'name')), /^nightly-reload-[0-9a-f]{8}$/);
});

test('Job: recreated with the new config only when it opts in itself; --auto-reload-all alone leaves Jobs alone', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  const job = (name: string, annotations: Record<string, string>): Json => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, annotations },
    spec: {
      backoffLimit: 0,
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'x', envFrom: [envFrom('settings')] }] },
      },
    },
  });
  await post(c, `/apis/batch/v1/namespaces/${ns}/jobs`, job('migrate', AUTO));
  await post(c, `/apis/batch/v1/namespaces/${ns}/jobs`, job('report', {}));
  const uid = async (name: string): Promise<unknown> =>
    at(await getJson(c, `/apis/batch/v1/namespaces/${ns}/jobs/${name}`), 'metadata', 'uid');
  const before = { migrate: await uid('migrate'), report: await uid('report') };
  const controller = await startController(t, ns, ['--auto-reload-all']);
  await controller.decided(`Job/${ns}/migrate`, ADOPTED);
  await controller.decided(`Job/${ns}/report`, 'not rolled: workload opted out');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`Job/${ns}/migrate`, ROLLED, mark);
  const recreated = await eventually('the recreated Job', async () => {
    const j = await getJson(c, `/apis/batch/v1/namespaces/${ns}/jobs/migrate`).catch(() => undefined);
    return j !== undefined && at(j, 'metadata', 'uid') !== before.migrate ? j : undefined;
  });
  assert.match(String(at(recreated, 'spec', 'template', 'metadata', 'annotations', HASH_ANNOTATION)), /^[0-9a-f]{64}$/);
  assert.equal(await uid('report'), before.report);
  await controller.decided(`Job/${ns}/migrate`, UNCHANGED, mark);
});

const ROLLOUT_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'rollouts.argoproj.io' },
  spec: {
    group: 'argoproj.io',
    scope: 'Namespaced',
    names: { kind: 'Rollout', listKind: 'RolloutList', plural: 'rollouts', singular: 'rollout', shortNames: ['ro'] },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

/** ConfigMap `settings` ({A: "1"}) and the auto-annotated Deployment `web` that reads it through envFrom. */
async function webUsingSettings(c: Clients, ns: string): Promise<void> {
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('web', { containers: [{ name: 'app', image: 'x', envFrom: [envFrom('settings')] }] }, AUTO),
  });
}

/** A local HTTP receiver for the test's duration, and the JSON bodies it got so far. */
async function jsonReceiver(t: TestContext): Promise<{ url: string; bodies: () => Json[] }> {
  const receiving = await receiver();
  t.after(() => receiving.close());
  return { url: receiving.url, bodies: () => receiving.received.map((r) => JSON.parse(r.body) as Json) };
}

async function installRolloutCrd(t: TestContext, c: Clients): Promise<void> {
  await post(c, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', ROLLOUT_CRD);
  t.after(async () => {
    await (
      await apiClient(c)
    )
      .json({ method: 'DELETE', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/rollouts.argoproj.io' })
      .catch(() => undefined);
  });
  await eventually('the Rollout CRD to be served', async () =>
    (await getJson(c, '/apis/argoproj.io/v1alpha1').catch(() => undefined)) === undefined ? undefined : true,
  );
}

test('Argo Rollouts: picked up when the CRD is installed after start; rollout changes the template, restart sets spec.restartAt', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  const controller = await startController(t, ns);
  await installRolloutCrd(t, c);
  const rollout = (name: string, annotations: Record<string, string>): Json => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'x', envFrom: [envFrom('settings')] }] },
      },
    },
  });
  await post(c, `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`, rollout('canary', AUTO));
  await post(
    c,
    `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`,
    rollout('restarter', { ...AUTO, 'reloader.stakater.com/rollout-strategy': 'restart' }),
  );
  await controller.decided(`Rollout/${ns}/canary`, ADOPTED);
  await controller.decided(`Rollout/${ns}/restarter`, ADOPTED);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`Rollout/${ns}/canary`, ROLLED, mark);
  await controller.decided(`Rollout/${ns}/restarter`, ROLLED, mark);
  const canary = await getJson(c, `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/canary`);
  assert.match(String(at(canary, 'spec', 'template', 'metadata', 'annotations', HASH_ANNOTATION)), /^[0-9a-f]{64}$/);
  assert.equal(at(canary, 'spec', 'restartAt'), undefined);
  const restarter = await getJson(c, `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/restarter`);
  assert.ok(Date.parse(String(at(restarter, 'spec', 'restartAt'))) > Date.now() - 120_000, 'restartAt is now');
  assert.equal(at(restarter, 'spec', 'template', 'metadata', 'annotations', HASH_ANNOTATION), undefined);
});

test('decision order: typed auto, named, auto + named, exclude, search/match, ignore, and annotations read from the pod template', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'cm-a', { A: '1' });
  await createConfigMap(c, ns, 'cm-b', { B: '1' }, {}, { 'reloader.stakater.com/match': 'true' });
  await createConfigMap(c, ns, 'cm-ignored', { I: '1' }, {}, { 'reloader.stakater.com/ignore': 'true' });
  await createSecret(c, ns, 'sec', { S: '1' });
  const refs = (...names: string[]): V1Container[] => [
    { name: 'app', image: 'x', envFrom: names.map((n) => (n === 'sec' ? envFrom(n, 'secretRef') : envFrom(n))) },
  ];
  const workloads: {
    name: string;
    annotations: Record<string, string>;
    uses: string[];
    template?: Record<string, string>;
  }[] = [
    { name: 'typed-cm', annotations: { 'configmap.reloader.stakater.com/auto': 'true' }, uses: ['cm-a', 'sec'] },
    { name: 'named', annotations: { 'configmap.reloader.stakater.com/reload': 'cm-b' }, uses: [] },
    { name: 'auto-named', annotations: { ...AUTO, 'secret.reloader.stakater.com/reload': 's.c' }, uses: ['cm-a'] },
    {
      name: 'exclude',
      annotations: { ...AUTO, 'configmaps.exclude.reloader.stakater.com/reload': 'cm-a' },
      uses: ['cm-a', 'cm-b'],
    },
    { name: 'search', annotations: { 'reloader.stakater.com/search': 'true' }, uses: ['cm-a', 'cm-b'] },
    { name: 'ignored', annotations: AUTO, uses: ['cm-ignored'] },
    { name: 'template-only', annotations: {}, template: AUTO, uses: ['cm-a'] },
  ];
  for (const w of workloads) {
    const body = deployment(w.name, { containers: refs(...w.uses) }, w.annotations);
    if (w.template !== undefined && body.spec?.template.metadata !== undefined)
      body.spec.template.metadata.annotations = w.template;
    await c.apps.createNamespacedDeployment({ namespace: ns, body });
  }
  const controller = await startController(t, ns);
  for (const w of workloads) if (w.name !== 'ignored') await controller.decided(`Deployment/${ns}/${w.name}`, ADOPTED);

  const expect: Record<string, string[]> = {
    'cm-a': ['typed-cm', 'auto-named', 'template-only'],
    'cm-b': ['named', 'exclude', 'search'],
    sec: ['auto-named'],
    'cm-ignored': [],
  };
  const rolled = new Map<string, number>();
  for (const [config, who] of Object.entries(expect)) {
    const mark = controller.mark();
    if (config === 'sec') await updateSecret(c, ns, 'sec', { S: '2' });
    else await updateConfigMap(c, ns, config, { X: '2' });
    for (const name of who) {
      await controller.decided(`Deployment/${ns}/${name}`, ROLLED, mark);
      rolled.set(name, (rolled.get(name) ?? 0) + 1);
    }
  }
  await sleep(3000);
  for (const w of workloads) {
    assert.equal(
      controller.count(`Deployment/${ns}/${w.name}`, ROLLED),
      rolled.get(w.name) ?? 0,
      `${w.name} rolled exactly as Stakater's order says`,
    );
  }
});

test('--reload-on-delete: deleting an optional Secret rolls and drops its variable under env-vars; without the flag the deletion is only recorded', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  for (const name of ['kept', 'gone']) await createSecret(c, ns, name, { S: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        containers: [
          { name: 'app', image: 'x', envFrom: [envFrom('kept', 'secretRef'), envFrom('gone', 'secretRef', true)] },
        ],
      },
      AUTO,
    ),
  });
  const key = `Deployment/${ns}/web`;
  const plain = await startController(t, ns, ['--reload-strategy=env-vars']);
  await plain.decided(key, ADOPTED);
  let mark = plain.mark();
  await updateSecret(c, ns, 'gone', { S: '2' });
  await plain.decided(key, ROLLED, mark);
  await rolloutComplete(c, ns, 'web');
  await plain.stop();

  const onDelete = await startController(t, ns, ['--reload-strategy=env-vars', '--reload-on-delete']);
  await onDelete.decided(key, UNCHANGED);
  mark = onDelete.mark();
  await c.core.deleteNamespacedSecret({ name: 'gone', namespace: ns });
  await onDelete.decided(key, ROLLED, mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 3);
  const env = (
    await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns })
  ).spec?.template.spec?.containers[0]?.env?.map((e) => e.name);
  assert.deepEqual(env, ['STAKATER_KEPT_SECRET']);
  await onDelete.stop();

  await createSecret(c, ns, 'gone', { S: '3' });
  const plainAgain = await startController(t, ns, ['--reload-strategy=env-vars']);
  await plainAgain.decided(key, RECORDED);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 3, 'without --reload-on-create its return is only recorded');
});

test('--webhook-url: the receiver gets what changed and which workload would roll; nothing rolls', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const { url: receiverUrl, bodies } = await jsonReceiver(t);
  await webUsingSettings(c, ns);
  const key = `Deployment/${ns}/web`;
  const controller = await startController(t, ns, [`--webhook-url=${receiverUrl}/hook`]);
  await controller.decided(key, ADOPTED);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(key, 'told the webhook', mark);
  assert.equal(bodies().length, 1);
  assert.deepEqual(at(bodies()[0], 'workload'), { kind: 'Deployment', namespace: ns, name: 'web' });
  assert.deepEqual(at(bodies()[0], 'changed', 0, 'kind'), 'ConfigMap');
  assert.deepEqual(at(bodies()[0], 'changed', 0, 'name'), 'settings');
  assert.deepEqual(at(bodies()[0], 'changed', 0, 'keys'), { changed: ['A'], added: [], removed: [] });
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 1);
  await controller.stop();
  const again = await startController(t, ns, [`--webhook-url=${receiverUrl}/hook`]);
  await again.decided(key, UNCHANGED);
  assert.equal(bodies().length, 1, 'a restart does not tell it again');
});

test('ALERT_ON_RELOAD: each roll sends a Slack message naming the workload, kind, namespace and config; a dead receiver delays nothing', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const { url: receiverUrl, bodies } = await jsonReceiver(t);
  await webUsingSettings(c, ns);
  const key = `Deployment/${ns}/web`;
  const alerting = {
    ALERT_ON_RELOAD: 'true',
    ALERT_SINK: 'slack',
    ALERT_ADDITIONAL_INFO: 'Cluster: test',
    ALERT_WEBHOOK_URL: `${receiverUrl}/services/T0`,
  };
  const controller = await startController(t, ns, [], undefined, alerting);
  await controller.decided(key, ADOPTED);
  let mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(key, ROLLED, mark);
  await eventually('the alert to arrive', () => Promise.resolve(bodies().length > 0 ? true : undefined));
  const text = String(at(bodies()[0], 'attachments', 0, 'text'));
  for (const part of ['Cluster: test', '*web*', '*Deployment*', `*${ns}*`, '*settings*', '*ConfigMap*'])
    assert.ok(text.includes(part), `${JSON.stringify(text)} names ${part}`);
  await controller.stop();

  // A receiver that is not there: the roll still happens, the failure is logged.
  const dead = await startController(t, ns, [], undefined, {
    ...alerting,
    ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/services/T0',
  });
  await dead.decided(key, UNCHANGED);
  mark = dead.mark();
  await updateConfigMap(c, ns, 'settings', { A: '3' });
  await dead.decided(key, ROLLED, mark);
  await dead.waitFor('the failed alert', (l) => l.msg === 'alert not sent', mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 3);
});

test('--ignored-workload-types=cronjobs leaves CronJobs alone; KUBERNETES_NAMESPACE scopes the controller like --namespaces', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await post(c, `/apis/batch/v1/namespaces/${ns}/cronjobs`, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', annotations: AUTO },
    spec: {
      schedule: '0 0 1 1 *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'task', image: 'x', envFrom: [envFrom('settings')] }],
            },
          },
        },
      },
    },
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('web', { containers: [{ name: 'app', image: 'x', envFrom: [envFrom('settings')] }] }, AUTO),
  });
  const controller = await startController(t, undefined, ['--ignored-workload-types=cronjobs'], undefined, {
    KUBERNETES_NAMESPACE: ns,
  });
  await controller.decided(`Deployment/${ns}/web`, ADOPTED);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`Deployment/${ns}/web`, ROLLED, mark);
  assert.equal(
    controller.lines.some((l) => typeof l.workload === 'string' && l.workload.startsWith('CronJob/')),
    false,
  );
  const cj = await getJson(c, `/apis/batch/v1/namespaces/${ns}/cronjobs/nightly`);
  assert.equal(at(cj, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'annotations'), undefined);
});

test('--resources-to-ignore=configMaps with --sync-after-restart: a ConfigMap edit rolls nothing, a Secret edit rolls once', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await createSecret(c, ns, 'creds', { S: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [envFrom('settings'), envFrom('creds', 'secretRef')] }] },
      AUTO,
    ),
  });
  const key = `Deployment/${ns}/web`;
  const controller = await startController(t, ns, ['--resources-to-ignore=configMaps', '--sync-after-restart']);
  await controller.decided(key, ADOPTED);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await updateSecret(c, ns, 'creds', { S: '2' });
  const rolled = await controller.decided(key, ROLLED, mark);
  assert.deepEqual(rolled.changed, ['Secret/creds'], 'only the Secret counts');
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2);
  const mentions = controller.lines.filter((l) => JSON.stringify(l).includes('ConfigMap/settings'));
  assert.ok(mentions.length > 0);
  assert.deepEqual(
    new Set(mentions.map((l) => l.reason)),
    new Set(['ConfigMaps are ignored (--resources-to-ignore)']),
    'the ConfigMap is only ever mentioned as not followed',
  );
});

test('--log-format=text prints logfmt as Stakater does; --log-level=warning keeps the info lines out, and rolls all the same', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await webUsingSettings(c, ns);
  const textLogging = (level: string): ControllerProcess => {
    // Not startController: it waits for a JSON "caches synced" line.
    const controller = new ControllerProcess([
      `--kubeconfig=${testCluster().kubeconfigPath}`,
      `--namespaces=${ns}`,
      '--metrics-address=127.0.0.1:0',
      '--log-format=text',
      `--log-level=${level}`,
    ]);
    controller.start();
    t.after(async () => {
      await controller.stop();
    });
    return controller;
  };
  const text = textLogging('info');
  const synced = await text.waitFor('a logfmt line', (l) => l.msg.includes('msg="caches synced"'));
  assert.match(synced.msg, /time=\S+ level=info msg="caches synced" workloads=1 /);
  await text.waitFor('the adoption, in logfmt', (l) => l.msg.includes(`workload=Deployment/${ns}/web`));
  await text.stop();

  // Whether this edit lands before or after the caches sync, the roll is the same: level-based.
  const quiet = textLogging('warning');
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await eventually('the roll', async () => ((await replicaSetsOf(c, ns, 'web')).length === 2 ? true : undefined));
  assert.equal(
    quiet.lines.some((l) => /level=(info|debug)/.test(l.msg)),
    false,
    'no info or debug line at warning level',
  );
});

test("pause period survives a controller restart (Stakater's timer is lost and leaves the Deployment paused)", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [envFrom('settings')] }] },
      { ...AUTO, 'deployment.reloader.stakater.com/pause-period': '8s' },
    ),
  });
  const key = `Deployment/${ns}/web`;
  const first: ControllerProcess = await startController(t, ns);
  await first.decided(key, ADOPTED);
  await rolloutComplete(c, ns, 'web');
  const mark = first.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await first.decided(key, ROLLED, mark);
  const paused = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.equal(paused.spec?.paused, true);
  assert.ok(paused.metadata?.annotations?.['deployment.reloader.stakater.com/paused-at'] !== undefined);
  await first.kill();

  const second = await startController(t, ns);
  await second.decided(key, 'resumed after its pause period');
  const resumed = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.notEqual(resumed.spec?.paused, true);
  assert.equal(resumed.metadata?.annotations?.['deployment.reloader.stakater.com/paused-at'], undefined);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2, 'the gathered change rolled once');
});
