import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createMetrics } from '../../../src/metrics/metrics.ts';
import type { Counter } from '../../../src/prometheus/registry.ts';

/** The value of the first series of a counter whose labels include `labels`, 0 when there is none. */
function value<T extends string>(counter: Counter<T>, labels: Partial<Record<T, string>>): number {
  const found = counter
    .values()
    .find((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want));
  return found?.value ?? 0;
}

test('each createMetrics() has its own registry, so several can live side by side', () => {
  const a = createMetrics();
  const b = createMetrics();
  assert.notEqual(a.registry, b.registry);
  a.countError('watch_configmaps');
  assert.equal(value(a.handles.stakater.errorsTotal, { type: 'watch_configmaps' }), 1);
  assert.equal(value(b.handles.stakater.errorsTotal, { type: 'watch_configmaps' }), 0);
});

test("the registry holds every documented name, default process metrics, and Stakater's reload counter at 0 for both outcomes", async () => {
  const m = createMetrics();
  const text = await m.registry.metrics();
  for (const name of [
    'mini_reloader_rolls_total',
    'mini_reloader_reconcile_duration_seconds',
    'mini_reloader_reconcile_total',
    'mini_reloader_workqueue_depth',
    'mini_reloader_watch_restarts_total',
    'mini_reloader_relists_total',
    'mini_reloader_cache_objects',
    'mini_reloader_build_info',
    'mini_reloader_rollout_halts_total',
    'reloader_reload_executed_total',
    'reloader_reconcile_total',
    'reloader_reconcile_duration_seconds',
    'reloader_action_total',
    'reloader_action_latency_seconds',
    'reloader_skipped_total',
    'reloader_errors_total',
    'reloader_retries_total',
    'reloader_workqueue_depth',
    'reloader_workqueue_adds_total',
    'reloader_workqueue_latency_seconds',
    'reloader_events_received_total',
    'reloader_events_processed_total',
    'reloader_workloads_scanned_total',
    'reloader_workloads_matched_total',
    'rest_client_requests_total',
    'rest_client_request_duration_seconds',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_seconds',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.match(text, /^reloader_reload_executed_total\{success="true"\} 0$/m);
  assert.match(text, /^reloader_reload_executed_total\{success="false"\} 0$/m);
});

test('a rolled reconcile counts as a successful roll under both names', () => {
  const m = createMetrics();
  m.observeReconcile('StatefulSet', 'ns', 'rolled', 0.02);
  const h = m.handles;
  assert.equal(value(h.rollsTotal, { kind: 'StatefulSet', result: 'success' }), 1);
  assert.equal(value(h.reconcileTotal, { result: 'rolled' }), 1);
  assert.equal(value(h.stakater.reloadExecutedTotal, { success: 'true' }), 1);
  assert.equal(value(h.stakater.actionTotal, { workload_kind: 'StatefulSet', result: 'success' }), 1);
  assert.equal(value(h.stakater.reconcileTotal, { result: 'success' }), 1);
  assert.equal(h.reconcileDuration.snapshot({ kind: 'StatefulSet' })?.count, 1);
});

test('a failed reconcile counts as a failed roll, and as Stakater\'s error and success="false"', () => {
  const m = createMetrics();
  m.observeReconcile('Deployment', 'ns', 'error', 0.5);
  const h = m.handles;
  assert.equal(value(h.rollsTotal, { kind: 'Deployment', result: 'failure' }), 1);
  assert.equal(value(h.reconcileTotal, { result: 'error' }), 1);
  assert.equal(value(h.stakater.reloadExecutedTotal, { success: 'false' }), 1);
  assert.equal(value(h.stakater.actionTotal, { workload_kind: 'Deployment', result: 'error' }), 1);
  assert.equal(value(h.stakater.reconcileTotal, { result: 'error' }), 1);
});

test('a conflict is retried, so it is no failed roll', () => {
  const m = createMetrics();
  m.observeReconcile('Deployment', 'ns', 'conflict', 0.01);
  const h = m.handles;
  assert.equal(value(h.reconcileTotal, { result: 'conflict' }), 1);
  assert.equal(value(h.rollsTotal, { kind: 'Deployment', result: 'failure' }), 0);
  assert.equal(value(h.stakater.reloadExecutedTotal, { success: 'false' }), 0);
  assert.deepEqual(h.stakater.reconcileTotal.values(), [], 'no Stakater reconcile: its retry is the one that counts');
  assert.equal(h.stakater.reconcileDuration.snapshot({ result: 'error' }), undefined);
});

test("dry runs, adoptions and skips roll nothing; skips use Stakater's reasons", () => {
  const m = createMetrics();
  const h = m.handles;
  for (const outcome of ['dry_run', 'adopted', 'unchanged', 'skipped', 'waiting', 'gone'] as const)
    m.observeReconcile('DaemonSet', 'ns', outcome, 0.001);
  assert.equal(value(h.rollsTotal, { result: 'dry_run' }), 1);
  assert.equal(value(h.rollsTotal, { result: 'success' }), 0);
  assert.equal(value(h.stakater.reloadExecutedTotal, { success: 'true' }), 0);
  assert.equal(value(h.reconcileTotal, { result: 'adopted' }), 1);
  assert.equal(value(h.reconcileTotal, { result: 'unchanged' }), 1);
  assert.equal(
    value(h.reconcileTotal, { result: 'skipped' }),
    3,
    'a workload that is gone, or waits for a missing config, counts as skipped',
  );
  assert.equal(value(h.stakater.skippedTotal, { reason: 'no_data_change' }), 1);
  assert.equal(value(h.stakater.skippedTotal, { reason: 'ignored_or_not_selected' }), 1);
  assert.equal(value(h.stakater.skippedTotal, { reason: 'strategy_not_updated' }), 1);
  assert.equal(value(h.stakater.reconcileTotal, { result: 'skipped' }), 3);
  assert.equal(
    value(h.stakater.reconcileTotal, { result: 'success' }),
    3,
    'a dry run, an adoption, and a workload that is gone',
  );
  assert.equal(
    value(h.stakater.workloadsScanned, { kind: 'DaemonSet' }),
    5,
    'every workload looked at, not one that is gone',
  );
  assert.equal(value(h.stakater.workloadsMatched, { kind: 'DaemonSet' }), 1, 'only the dry run needed a reload');
});

test('gauges and list/watch counters', () => {
  const m = createMetrics();
  m.setQueueDepth(7);
  m.setCacheSize('secrets', 12);
  m.countRelist('configmaps', 'gone');
  m.countWatchRestart('deployments', 'timeout');
  const h = m.handles;
  assert.equal(h.workqueueDepth.values()[0]?.value, 7);
  assert.equal(h.stakater.workqueueDepth.values()[0]?.value, 7);
  assert.equal(h.cacheObjects.values().find((v) => v.labels.resource === 'secrets')?.value, 12);
  assert.equal(value(h.relistsTotal, { resource: 'configmaps', reason: 'gone' }), 1);
  assert.equal(value(h.watchRestartsTotal, { resource: 'deployments', reason: 'timeout' }), 1);
});

/** The sample lines of one family in an exposition, without its HELP and TYPE. */
function samples(text: string, family: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${family}_`) || l.startsWith(`${family}{`) || l.startsWith(`${family} `));
}

/** The `le` bounds of a histogram's first series, in order, without +Inf. */
function bounds(text: string, family: string): number[] {
  const buckets = samples(text, family)
    .filter((l) => l.startsWith(`${family}_bucket{`))
    .map((l) => {
      const labels = l.slice(l.indexOf('{'), l.lastIndexOf('}') + 1);
      return { le: /le="([^"]*)"/.exec(labels)?.[1] ?? '', series: labels.replace(/le="[^"]*",?/, '') };
    });
  assert.ok(buckets.length > 0, `${family} has buckets`);
  return buckets.filter((b) => b.series === buckets[0]?.series && b.le !== '+Inf').map((b) => Number(b.le));
}

test("Stakater's families are exposed with its names, label sets and buckets", async () => {
  const m = createMetrics();
  const s = m.handles.stakater;
  m.observeReconcile('Deployment', 'ns', 'rolled', 0.02, 2.5);
  m.observeReconcile('Deployment', 'ns', 'unchanged', 0.0004);
  m.queue.added();
  m.queue.retried();
  m.queue.waited(0.3);
  s.eventReceived('update', 'configmaps');
  s.eventProcessed('configmaps');
  const text = await m.registry.metrics();

  assert.deepEqual(samples(text, 'reloader_reconcile_total'), [
    'reloader_reconcile_total{result="success"} 1',
    'reloader_reconcile_total{result="skipped"} 1',
  ]);
  assert.deepEqual(
    bounds(text, 'reloader_reconcile_duration_seconds'),
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  assert.ok(
    samples(text, 'reloader_reconcile_duration_seconds').includes(
      'reloader_reconcile_duration_seconds_bucket{le="0.025",result="success"} 1',
    ),
  );
  assert.ok(
    samples(text, 'reloader_reconcile_duration_seconds').includes(
      'reloader_reconcile_duration_seconds_count{result="skipped"} 1',
    ),
  );
  assert.deepEqual(samples(text, 'reloader_skipped_total'), ['reloader_skipped_total{reason="no_data_change"} 1']);
  assert.deepEqual(samples(text, 'reloader_action_total'), [
    'reloader_action_total{workload_kind="Deployment",result="success"} 1',
  ]);
  assert.deepEqual(
    bounds(text, 'reloader_action_latency_seconds'),
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  assert.ok(
    samples(text, 'reloader_action_latency_seconds').includes(
      'reloader_action_latency_seconds_bucket{le="1",workload_kind="Deployment"} 0',
    ),
  );
  assert.ok(
    samples(text, 'reloader_action_latency_seconds').includes(
      'reloader_action_latency_seconds_bucket{le="2.5",workload_kind="Deployment"} 1',
    ),
  );
  assert.deepEqual(samples(text, 'reloader_workqueue_adds_total'), ['reloader_workqueue_adds_total 1']);
  assert.deepEqual(samples(text, 'reloader_retries_total'), ['reloader_retries_total 1']);
  assert.deepEqual(
    bounds(text, 'reloader_workqueue_latency_seconds'),
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  assert.ok(
    samples(text, 'reloader_workqueue_latency_seconds').includes(
      'reloader_workqueue_latency_seconds_bucket{le="0.5"} 1',
    ),
  );
  assert.deepEqual(samples(text, 'reloader_events_received_total'), [
    'reloader_events_received_total{event_type="update",resource_type="configmaps"} 1',
  ]);
  assert.deepEqual(samples(text, 'reloader_events_processed_total'), [
    'reloader_events_processed_total{event_type="unknown",resource_type="configmaps",result="success"} 1',
  ]);
  assert.deepEqual(samples(text, 'reloader_workloads_scanned_total'), [
    'reloader_workloads_scanned_total{kind="Deployment"} 2',
  ]);
  assert.deepEqual(samples(text, 'reloader_workloads_matched_total'), [
    'reloader_workloads_matched_total{kind="Deployment"} 1',
  ]);
  for (const [family, type] of [
    ['reloader_reconcile_duration_seconds', 'histogram'],
    ['reloader_workqueue_adds_total', 'counter'],
    ['reloader_workqueue_depth', 'gauge'],
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${family ?? ''} ${type ?? ''}$`, 'm'));
  }
});

test("client-go's rest_client families, with its label sets and buckets", async () => {
  const m = createMetrics();
  m.apiRequests.answered('PATCH', '10.0.0.1:6443', '403');
  m.apiRequests.answered('GET', '10.0.0.1:6443', '<error>');
  m.apiRequests.took('PATCH', '10.0.0.1:6443', 0.2);
  const text = await m.registry.metrics();
  assert.deepEqual(samples(text, 'rest_client_requests_total'), [
    'rest_client_requests_total{code="403",method="PATCH",host="10.0.0.1:6443"} 1',
    'rest_client_requests_total{code="<error>",method="GET",host="10.0.0.1:6443"} 1',
  ]);
  assert.deepEqual(bounds(text, 'rest_client_request_duration_seconds'), [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30]);
  assert.ok(
    samples(text, 'rest_client_request_duration_seconds').includes(
      'rest_client_request_duration_seconds_bucket{le="0.5",verb="PATCH",host="10.0.0.1:6443"} 1',
    ),
  );
});

test('mini_reloader_build_info carries the version of package.json', async () => {
  const text = await createMetrics().registry.metrics();
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  assert.deepEqual(samples(text, 'mini_reloader_build_info'), [`mini_reloader_build_info{version="${version}"} 1`]);
  assert.deepEqual(samples(await createMetrics({ version: '9.9.9' }).registry.metrics(), 'mini_reloader_build_info'), [
    'mini_reloader_build_info{version="9.9.9"} 1',
  ]);
});
