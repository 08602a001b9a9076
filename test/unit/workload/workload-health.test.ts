import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import type { WorkloadKind } from '../../../src/model/workload-kind.ts';
import { workloadHealth } from '../../../src/workload/workload-health.ts';

function obj(generation: number, spec: object, status: object): KubeObject {
  return { metadata: { name: 'w', namespace: 'ns', generation }, spec, status };
}

const state = (kind: WorkloadKind, o: KubeObject): string => workloadHealth(kind, o).state;

test('a Deployment is healthy once its controller saw the change and every desired replica is updated and available', () => {
  const done = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 };
  assert.equal(state('Deployment', obj(2, { replicas: 3 }, done)), 'healthy');
  assert.equal(state('Deployment', obj(3, { replicas: 3 }, done)), 'progressing', 'generation not observed yet');
  assert.equal(state('Deployment', obj(2, { replicas: 3 }, { ...done, updatedReplicas: 2 })), 'progressing');
  assert.equal(state('Deployment', obj(2, { replicas: 3 }, { ...done, availableReplicas: 1 })), 'progressing');
  assert.equal(state('Deployment', obj(2, { replicas: 3 }, { ...done, replicas: 4 })), 'progressing', 'old pods left');
  assert.equal(state('Deployment', obj(1, {}, { observedGeneration: 1 })), 'progressing', 'replicas default to 1');
});

test('a Deployment past its progress deadline has failed', () => {
  const health = workloadHealth(
    'Deployment',
    obj(
      2,
      { replicas: 1 },
      {
        observedGeneration: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    ),
  );
  assert.equal(health.state, 'failed');
  assert.match(health.detail, /ProgressDeadlineExceeded/);
});

test('a StatefulSet is healthy when its update revision is current and every replica is ready', () => {
  const done = { observedGeneration: 4, currentRevision: 'r2', updateRevision: 'r2', readyReplicas: 2 };
  assert.equal(state('StatefulSet', obj(4, { replicas: 2 }, done)), 'healthy');
  assert.equal(state('StatefulSet', obj(4, { replicas: 2 }, { ...done, currentRevision: 'r1' })), 'progressing');
  assert.equal(state('StatefulSet', obj(4, { replicas: 2 }, { ...done, readyReplicas: 1 })), 'progressing');
  assert.equal(state('StatefulSet', obj(5, { replicas: 2 }, done)), 'progressing');
});

test('a DaemonSet is healthy when every scheduled pod is updated and available', () => {
  const done = { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 };
  assert.equal(state('DaemonSet', obj(1, {}, done)), 'healthy');
  assert.equal(state('DaemonSet', obj(1, {}, { ...done, updatedNumberScheduled: 2 })), 'progressing');
  assert.equal(state('DaemonSet', obj(1, {}, { ...done, numberAvailable: 0 })), 'progressing');
  assert.equal(state('DaemonSet', obj(2, {}, done)), 'progressing');
});

test('an Argo Rollout is healthy in phase Healthy and has failed when Degraded', () => {
  assert.equal(state('Rollout', obj(1, {}, { observedGeneration: 1, phase: 'Healthy' })), 'healthy');
  assert.equal(state('Rollout', obj(1, {}, { observedGeneration: 1, phase: 'Progressing' })), 'progressing');
  assert.equal(state('Rollout', obj(1, {}, { phase: 'Degraded', message: 'ProgressDeadlineExceeded' })), 'failed');
});

test('a CronJob is healthy once changed, progressing while a Job runs, failed when its last Job did not succeed', () => {
  assert.equal(state('CronJob', obj(1, {}, {})), 'healthy');
  assert.equal(state('CronJob', obj(1, {}, { active: [{ name: 'j' }] })), 'progressing');
  const at = '2026-12-01T10:00:00Z';
  assert.equal(state('CronJob', obj(1, {}, { lastScheduleTime: at, lastSuccessfulTime: at })), 'healthy');
  assert.equal(state('CronJob', obj(1, {}, { lastScheduleTime: at })), 'failed');
});

test('kinds without a rollout to wait on, and malformed statuses, never throw', () => {
  assert.equal(state('Job', obj(1, {}, {})), 'healthy');
  assert.equal(state('Deployment', { metadata: { name: 'w' }, status: 'nonsense' }), 'progressing');
});
