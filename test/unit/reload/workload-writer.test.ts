import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { referenceKey } from '../../../src/model/config-id.ts';
import { WorkloadWriter, type Roll } from '../../../src/reload/workload-writer.ts';
import type { WorkloadRecord } from '../../../src/workload/workload-cache.ts';
import type { WorkloadKind } from '../../../src/model/workload-kind.ts';
import { FakeApiServer, sendJson, status, type RecordedRequest } from '../kube/fake-api-server.ts';

const RECORD = 'mini-reloader.pelabs/config-hash-record';
const ROLLED_AT = 'mini-reloader.pelabs/rolled-at';
const PAUSED_AT = 'deployment.reloader.stakater.com/paused-at';

function workload(kind: WorkloadKind): WorkloadRecord {
  return {
    kind,
    namespace: 'ns',
    name: 'web',
    uid: 'uid-1',
    resourceVersion: '42',
    annotations: {},
    templateAnnotations: {},
    references: [],
    containers: ['app'],
    record: undefined,
    paused: false,
    pausedAt: undefined,
    rolledAt: [],
    suspended: false,
    controllerKind: undefined,
  };
}

const roll: Roll = {
  record: { version: 2, entries: new Map([[referenceKey('ConfigMap', 'cm'), '*.abc']]) },
  mark: { annotations: { 'mini-reloader.pelabs/config-hash': 'h2' }, env: new Map() },
  rolledAt: [1764633600000, 1764633900000],
};

async function start(
  t: TestContext,
  answer: (req: RecordedRequest) => [number, unknown],
): Promise<{ api: FakeApiServer; writer: WorkloadWriter }> {
  const api = await FakeApiServer.start();
  t.after(() => api.close());
  api.route = (req, res) => {
    const [code, body] = answer(req);
    sendJson(res, code, body);
  };
  const writer = new WorkloadWriter(api.client(), {
    fieldManager: 'mini-reloader',
    recordAnnotation: RECORD,
    pausedAtAnnotation: PAUSED_AT,
    rolledAtAnnotation: ROLLED_AT,
    runCronJobs: true,
  });
  return { api, writer };
}

const body = (r: RecordedRequest | undefined): Record<string, unknown> =>
  JSON.parse(r?.body ?? '{}') as Record<string, unknown>;

test('a Deployment roll is one server-side apply of the record and the mark, with the resourceVersion precondition', async (t) => {
  const { api, writer } = await start(t, () => [200, {}]);
  await writer.roll(workload('Deployment'), { ...roll, pausedAt: '2026-11-23T10:00:00.000Z' });
  const [req] = api.requests;
  assert.equal(req?.method, 'PATCH');
  assert.equal(req.path, '/apis/apps/v1/namespaces/ns/deployments/web');
  assert.equal(req.headers['content-type'], 'application/apply-patch+yaml');
  assert.equal(req.query.get('fieldManager'), 'mini-reloader');
  assert.equal(req.query.get('force'), 'true');
  assert.deepEqual(body(req), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'ns',
      resourceVersion: '42',
      annotations: {
        [RECORD]: '{"v":2,"ConfigMap/cm":"*.abc"}',
        [ROLLED_AT]: '1764633600,1764633900',
        [PAUSED_AT]: '2026-11-23T10:00:00.000Z',
      },
    },
    spec: { template: { metadata: { annotations: { 'mini-reloader.pelabs/config-hash': 'h2' } } }, paused: true },
  });
});

test('recording without a roll is a merge patch of the record alone, so it never drops the template mark', async (t) => {
  const { api, writer } = await start(t, () => [200, {}]);
  await writer.record(workload('StatefulSet'), roll.record);
  const [req] = api.requests;
  assert.equal(req?.headers['content-type'], 'application/merge-patch+json');
  assert.deepEqual(body(req), {
    metadata: { resourceVersion: '42', annotations: { [RECORD]: '{"v":2,"ConfigMap/cm":"*.abc"}' } },
  });
});

test("env-vars marks go on the named containers under apply, and a CronJob's under its job template", async (t) => {
  const { api, writer } = await start(t, (req) => [200, req.method === 'PATCH' ? { spec: { suspend: true } } : {}]);
  const effects = await writer.roll(workload('CronJob'), {
    ...roll,
    mark: { annotations: {}, env: new Map([['app', [{ name: 'STAKATER_CM_CONFIGMAP', value: 'x' }]]]) },
  });
  assert.deepEqual(body(api.requests[0]).spec, {
    jobTemplate: {
      spec: {
        template: { spec: { containers: [{ name: 'app', env: [{ name: 'STAKATER_CM_CONFIGMAP', value: 'x' }] }] } },
      },
    },
  });
  assert.deepEqual(effects, { jobNotStarted: 'the CronJob is suspended' });
  assert.equal(api.requests.length, 1, 'no Job for a suspended CronJob');
});

test('a CronJob roll starts a Job from the applied job template, named after the data, and a retry finds it', async (t) => {
  const cron = {
    metadata: { name: 'web' },
    spec: {
      jobTemplate: {
        metadata: { labels: { team: 'a' } },
        spec: { template: { spec: { containers: [{ name: 'app' }] } } },
      },
    },
  };
  let created = 0;
  const { api, writer } = await start(t, (req) => {
    if (req.method === 'POST') return created++ === 0 ? [201, {}] : [409, status(409, 'AlreadyExists', 'exists')];
    return [200, cron];
  });
  const first = await writer.roll(workload('CronJob'), roll);
  const again = await writer.roll(workload('CronJob'), roll);
  assert.equal(first.startedJob, again.startedJob);
  assert.match(first.startedJob ?? '', /^web-reload-[0-9a-f]{8}$/);
  const job = body(api.requests.find((r) => r.method === 'POST'));
  assert.deepEqual(job.metadata, {
    name: first.startedJob,
    namespace: 'ns',
    labels: { team: 'a' },
    annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
    ownerReferences: [
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        name: 'web',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  });
  assert.deepEqual(job.spec, cron.spec.jobTemplate.spec);
});

test('a Job is deleted with uid and resourceVersion preconditions and created again without its generated selector', async (t) => {
  const current = {
    metadata: {
      name: 'web',
      namespace: 'ns',
      uid: 'uid-1',
      resourceVersion: '42',
      labels: { app: 'web' },
      annotations: { keep: 'me' },
      creationTimestamp: 'x',
    },
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } },
      template: {
        metadata: {
          labels: {
            app: 'web',
            'batch.kubernetes.io/controller-uid': 'uid-1',
            'controller-uid': 'uid-1',
            'batch.kubernetes.io/job-name': 'web',
            'job-name': 'web',
          },
        },
        spec: { containers: [{ name: 'app' }] },
      },
    },
    status: { succeeded: 1 },
  };
  let posts = 0;
  const { api, writer } = await start(t, (req) => {
    if (req.method === 'GET') return [200, current];
    if (req.method === 'POST') return posts++ === 0 ? [409, status(409, 'AlreadyExists', 'still deleting')] : [201, {}];
    return [200, {}];
  });
  await writer.roll(workload('Job'), roll);
  assert.deepEqual(
    api.requests.map((r) => r.method),
    ['GET', 'DELETE', 'POST', 'POST'],
  );
  assert.deepEqual(body(api.requests[1]), {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    propagationPolicy: 'Background',
    preconditions: { uid: 'uid-1', resourceVersion: '42' },
  });
  const job = body(api.requests[3]);
  assert.deepEqual(job.metadata, {
    name: 'web',
    namespace: 'ns',
    labels: { app: 'web' },
    annotations: { keep: 'me', [RECORD]: '{"v":2,"ConfigMap/cm":"*.abc"}', [ROLLED_AT]: '1764633600,1764633900' },
  });
  assert.deepEqual(job.spec, {
    template: {
      metadata: { labels: { app: 'web' }, annotations: { 'mini-reloader.pelabs/config-hash': 'h2' } },
      spec: { containers: [{ name: 'app' }] },
    },
  });
  assert.equal(await writer.finishPending('Job/ns/web'), false, 'nothing left pending');
});

test('a Job whose create keeps failing after the delete is kept, and created by finishPending', async (t) => {
  let failing = true;
  const { writer } = await start(t, (req) => {
    if (req.method === 'GET')
      return [200, { metadata: { name: 'web' }, spec: { template: { spec: { containers: [] } } } }];
    if (req.method === 'POST') return failing ? [500, status(500, 'InternalError', 'etcd down')] : [201, {}];
    return [200, {}];
  });
  await assert.rejects(writer.roll(workload('Job'), roll), /500|etcd/);
  failing = false;
  assert.equal(await writer.finishPending('Job/ns/web'), true);
  assert.equal(await writer.finishPending('Job/ns/web'), false);
});

test('Argo Rollouts: restart merge-patches spec.restartAt; env-vars merges into the containers read back', async (t) => {
  const rollout = {
    metadata: { name: 'web' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'x',
              env: [
                { name: 'KEEP', value: '1' },
                { name: 'STAKATER_CM_CONFIGMAP', value: 'old' },
              ],
            },
            { name: 'side', image: 'y' },
          ],
        },
      },
    },
  };
  const { api, writer } = await start(t, (req) => [200, req.method === 'GET' ? rollout : {}]);
  await writer.roll(workload('Rollout'), { ...roll, restart: true });
  const restart = body(api.requests[0]);
  assert.equal(api.requests[0]?.headers['content-type'], 'application/merge-patch+json');
  assert.match(String((restart.spec as Record<string, unknown>).restartAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  await writer.roll(workload('Rollout'), {
    ...roll,
    mark: { annotations: {}, env: new Map([['app', [{ name: 'STAKATER_CM_CONFIGMAP', value: 'new' }]]]) },
  });
  const patch = body(api.requests[2]);
  assert.deepEqual(patch.spec, {
    template: {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'x',
            env: [
              { name: 'KEEP', value: '1' },
              { name: 'STAKATER_CM_CONFIGMAP', value: 'new' },
            ],
          },
          { name: 'side', image: 'y' },
        ],
      },
    },
  });
});

test("the caller's signal aborts a write in flight, and one already aborted sends nothing", async (t) => {
  const api = await FakeApiServer.start();
  t.after(() => api.close());
  api.route = () => {
    /* never answers */
  };
  const writer = new WorkloadWriter(api.client(), {
    fieldManager: 'mini-reloader',
    recordAnnotation: RECORD,
    pausedAtAnnotation: PAUSED_AT,
    rolledAtAnnotation: ROLLED_AT,
    runCronJobs: true,
  });
  const lead = new AbortController();
  const pending = writer.roll(workload('Deployment'), roll, lead.signal);
  await api.untilRequests((rs) => rs.length === 1);
  const lost = new Error('lost the lead');
  lead.abort(lost);
  await assert.rejects(pending, (err: unknown) => err === lost);
  await assert.rejects(writer.record(workload('Deployment'), roll.record, lead.signal), (err: unknown) => err === lost);
  assert.equal(api.requests.length, 1);
});
