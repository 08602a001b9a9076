import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics } from '../../../src/metrics.ts';
import type { Counter } from '../../../src/prometheus/registry.ts';

/** The value of the first series of a counter whose labels include `labels`, 0 when there is none. */
function value<T extends string>(counter: Counter<T>, labels: Partial<Record<T, string>>): number {
  const found = counter.values().find((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want));
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

test('the registry holds every documented name, default process metrics, and Stakater\'s reload counter at 0 for both outcomes', async () => {
  const m = createMetrics();
  const text = await m.registry.metrics();
  for (const name of ['mini_reloader_rolls_total', 'mini_reloader_reconcile_duration_seconds', 'mini_reloader_reconcile_total', 'mini_reloader_workqueue_depth',
    'mini_reloader_watch_restarts_total', 'mini_reloader_relists_total', 'mini_reloader_cache_objects',
    'reloader_reload_executed_total', 'reloader_reconcile_total', 'reloader_action_total', 'reloader_skipped_total', 'reloader_errors_total', 'reloader_workqueue_depth',
    'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
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
});

test('dry runs, adoptions and skips roll nothing; skips use Stakater\'s reasons', () => {
  const m = createMetrics();
  const h = m.handles;
  m.observeReconcile('DaemonSet', 'ns', 'dry_run', 0.001);
  m.observeReconcile('DaemonSet', 'ns', 'adopted', 0.001);
  m.observeReconcile('DaemonSet', 'ns', 'unchanged', 0.001);
  m.observeReconcile('DaemonSet', 'ns', 'skipped', 0.001);
  m.observeReconcile('DaemonSet', 'ns', 'gone', 0.001);
  assert.equal(value(h.rollsTotal, { result: 'dry_run' }), 1);
  assert.equal(value(h.rollsTotal, { result: 'success' }), 0);
  assert.equal(value(h.stakater.reloadExecutedTotal, { success: 'true' }), 0);
  assert.equal(value(h.reconcileTotal, { result: 'adopted' }), 1);
  assert.equal(value(h.reconcileTotal, { result: 'unchanged' }), 1);
  assert.equal(value(h.reconcileTotal, { result: 'skipped' }), 2, 'a workload that is gone counts as skipped');
  assert.equal(value(h.stakater.skippedTotal, { reason: 'no_data_change' }), 1);
  assert.equal(value(h.stakater.skippedTotal, { reason: 'no_match' }), 1);
  assert.equal(value(h.stakater.skippedTotal, { reason: 'not_found' }), 1);
  assert.equal(value(h.stakater.reconcileTotal, { result: 'success' }), 5);
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
