import { AuthorizationV1Api, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  clients,
  eventually,
  grant,
  serviceAccountKubeconfig,
  testNamespace,
  type Clients,
} from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment } from './support/workloads.ts';

/** One sample line of an exposition: its family (name without _bucket/_sum/_count), labels and value. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `an exposition line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[pair[1] ?? ''] = pair[2] ?? '';
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });
}

/** The sum of a family's samples whose labels include `labels`. */
function total(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Stakater's and client-go's families and their label sets (histograms: the `_count` series; `le` is on the buckets only). */
const LABEL_SETS: Readonly<Record<string, readonly string[]>> = {
  reloader_reload_executed_total: ['success'],
  reloader_reconcile_total: ['result'],
  reloader_reconcile_duration_seconds_count: ['result'],
  reloader_action_total: ['workload_kind', 'result'],
  reloader_action_latency_seconds_count: ['workload_kind'],
  reloader_skipped_total: ['reason'],
  reloader_workqueue_depth: [],
  reloader_workqueue_adds_total: [],
  reloader_workqueue_latency_seconds_count: [],
  reloader_errors_total: ['type'],
  reloader_retries_total: [],
  reloader_events_received_total: ['event_type', 'resource_type'],
  reloader_events_processed_total: ['event_type', 'resource_type', 'result'],
  reloader_workloads_scanned_total: ['kind'],
  reloader_workloads_matched_total: ['kind'],
  rest_client_requests_total: ['code', 'method', 'host'],
  rest_client_request_duration_seconds_count: ['verb', 'host'],
  mini_reloader_build_info: ['version'],
};

const WORKLOADS = { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'] };
const READ_WORKLOADS: V1PolicyRule = { ...WORKLOADS, verbs: ['get', 'list', 'watch'] };

/** Until the API server's authorizer sees the new Role, a roll of `name` could still pass. */
async function patchRefused(c: Clients, namespace: string, account: string, name: string): Promise<void> {
  const authz = c.kubeConfig.makeApiClient(AuthorizationV1Api);
  await eventually(`patching ${name} to be refused`, async () => {
    const review = await authz.createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${namespace}:${account}`,
          resourceAttributes: { namespace, verb: 'patch', group: 'apps', resource: 'deployments', name },
        },
      },
    });
    return review.status?.allowed === false ? true : undefined;
  });
}

test("after a roll, a skip and a failure, /metrics has every family Stakater's dashboards read, with its labels, and client-go's API request counts", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const account = { namespace: ns, name: 'mini-reloader' };
  await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: account.name } } });
  await grant(c, ns, account, [
    { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
    { ...WORKLOADS, verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'list', 'watch'] },
  ]);
  const kubeconfig = await serviceAccountKubeconfig(t, c, ns, account.name);
  await createConfigMap(c, ns, 'app-config', { A: '1' });
  const podSpec = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', podSpec, AUTO) });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('broken', podSpec, AUTO) });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('plain', podSpec) });

  const controller = await startController(t, ns, [], kubeconfig);
  const started = await controller.waitFor('its start line', (l) => l.msg === 'mini-reloader started');
  for (const name of ['web', 'broken']) await controller.decided(`Deployment/${ns}/${name}`, 'adopted');
  await controller.decided(`Deployment/${ns}/plain`, 'not rolled: follows no config');

  // From now on only web may be patched: broken's roll fails with a 403, and is retried.
  const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const role = await rbac.readNamespacedRole({ namespace: ns, name: 'mini-reloader' });
  role.rules = [
    ...(role.rules ?? []).filter((r) => !r.apiGroups?.includes('apps')),
    READ_WORKLOADS,
    { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] },
  ];
  await rbac.replaceNamespacedRole({ namespace: ns, name: 'mini-reloader', body: role });
  await patchRefused(c, ns, account.name, 'broken');

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await controller.decided(`Deployment/${ns}/web`, 'rolled', mark);
  await controller.decided(`Deployment/${ns}/broken`, 'reconcile failed', mark);

  const base = `http://127.0.0.1:${String(started.port)}`;
  const samples = await eventually("the failure and the roll's own echo in /metrics", async () => {
    const found = parseSamples(await (await fetch(`${base}/metrics`)).text());
    // web's roll comes back through the watch and is found as recorded: Stakater's no_data_change.
    return total(found, 'reloader_retries_total') >= 1 &&
      total(found, 'reloader_skipped_total', { reason: 'no_data_change' }) >= 1
      ? found
      : undefined;
  });

  const host = new URL(c.kubeConfig.getCurrentCluster()?.server ?? '').host;
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const at = (name: string, labels: Readonly<Record<string, string>> = {}): number => total(samples, name, labels);

  // The roll.
  assert.equal(at('reloader_action_total', { workload_kind: 'Deployment', result: 'success' }), 1);
  assert.equal(at('reloader_reload_executed_total', { success: 'true' }), 1);
  assert.equal(
    at('reloader_action_latency_seconds_count', { workload_kind: 'Deployment' }),
    at('reloader_action_total'),
    'a latency per action',
  );
  assert.ok(at('reloader_reconcile_total', { result: 'success' }) >= 3, 'two adoptions and the roll');
  assert.ok(at('reloader_workloads_matched_total', { kind: 'Deployment' }) >= 2, 'web, and broken at each attempt');
  assert.ok(at('reloader_workloads_scanned_total', { kind: 'Deployment' }) >= 5);
  assert.ok(
    at('rest_client_requests_total', { code: '200', method: 'PATCH', host }) >= 3,
    'two adoptions and the roll',
  );
  // The skips: plain opts out; web's echo changed nothing.
  assert.ok(at('reloader_reconcile_total', { result: 'skipped' }) >= 2);
  assert.ok(at('reloader_skipped_total', { reason: 'ignored_or_not_selected' }) >= 1);
  assert.equal(
    at('reloader_reconcile_duration_seconds_count', { result: 'skipped' }),
    at('reloader_reconcile_total', { result: 'skipped' }),
  );
  // The failure.
  assert.ok(at('reloader_reconcile_total', { result: 'error' }) >= 1);
  assert.ok(at('reloader_action_total', { workload_kind: 'Deployment', result: 'error' }) >= 1);
  assert.ok(at('reloader_reload_executed_total', { success: 'false' }) >= 1);
  assert.ok(at('reloader_errors_total', { type: 'handler_error' }) >= 1);
  assert.ok(at('rest_client_requests_total', { code: '403', method: 'PATCH', host }) >= 1);
  // The queue and the events behind them.
  assert.ok(at('reloader_workqueue_adds_total') >= 5, 'three at start, two for the change');
  assert.ok(at('reloader_workqueue_latency_seconds_count') >= 5);
  assert.ok(at('reloader_events_received_total', { event_type: 'add', resource_type: 'configmaps' }) >= 1);
  assert.ok(at('reloader_events_received_total', { event_type: 'update', resource_type: 'configmaps' }) >= 1);
  assert.ok(
    at('reloader_events_processed_total', { event_type: 'unknown', resource_type: 'configmaps', result: 'success' }) >=
      2,
  );
  // Caches fill through watches (initial-events streams), which are not timed, as in client-go.
  assert.ok(
    at('rest_client_request_duration_seconds_count', { verb: 'PATCH', host }) >= 4,
    'two adoptions, the roll and the failure',
  );
  assert.equal(at('mini_reloader_build_info', { version }), 1);

  for (const [name, labelNames] of Object.entries(LABEL_SETS)) {
    const series = samples.filter((s) => s.name === name);
    assert.ok(series.length > 0, `${name} is exposed`);
    for (const s of series) assert.deepEqual(Object.keys(s.labels).sort(), [...labelNames].sort(), `${name} labels`);
  }
  for (const s of samples.filter((x) => x.name.startsWith('reloader_') || x.name.startsWith('rest_client_'))) {
    for (const value of Object.values(s.labels)) {
      assert.ok(!value.includes(ns), `${s.name}: no label names the namespace (${value})`);
      assert.ok(
        !value.includes('/') && !value.includes('@'),
        `${s.name}: no path or credentials in a label (${value})`,
      );
    }
  }
});
