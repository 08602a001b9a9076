import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { referenceKey } from '../../../src/model/config-id.ts';
import { WorkloadWriter, type Roll } from '../../../src/reload/workload-writer.ts';
import type { WorkloadRecord } from '../../../src/workload/workload-cache.ts';
import { serveDeclaredKind, type WorkloadKind } from '../../../src/model/workload-kind.ts';
import { FakeApiServer, sendJson, type RecordedRequest } from '../kube/fake-api-server.ts';

const RECORD = 'mini-reloader.pelabs/config-hash-record';
const ROLLED_AT = 'mini-reloader.pelabs/rolled-at';

const runner = serveDeclaredKind(
  {
    declaration: 'example.com/v1/Runner',
    group: 'example.com',
    version: 'v1',
    kind: 'Runner',
    resource: undefined,
    templatePath: ['spec', 'runner', 'template'],
    restartField: undefined,
  },
  'runners',
);
const thing = serveDeclaredKind(
  {
    declaration: 'example.com/v1/Thing',
    group: 'example.com',
    version: 'v1',
    kind: 'Thing',
    resource: 'things',
    templatePath: ['spec', 'template'],
    restartField: ['spec', 'restart', 'at'],
  },
  'things',
);

function workload(kind: WorkloadKind, extra: Partial<WorkloadRecord> = {}): WorkloadRecord {
  return {
    kind,
    namespace: 'ns',
    name: 'w',
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
    ...extra,
  };
}

const roll: Roll = {
  record: { version: 2, entries: new Map([[referenceKey('ConfigMap', 'cm'), '*.abc']]) },
  mark: { annotations: { 'mini-reloader.pelabs/config-hash': 'h2' }, env: new Map() },
  rolledAt: [1764633600000, 1764633900000],
};

async function start(
  t: TestContext,
  answer: (req: RecordedRequest) => unknown = () => ({}),
): Promise<{ api: FakeApiServer; writer: WorkloadWriter }> {
  const api = await FakeApiServer.start();
  t.after(() => api.close());
  api.route = (req, res) => {
    sendJson(res, 200, answer(req));
  };
  return {
    api,
    writer: new WorkloadWriter(api.client(), {
      fieldManager: 'mini-reloader',
      recordAnnotation: RECORD,
      pausedAtAnnotation: 'p',
      rolledAtAnnotation: ROLLED_AT,
      runCronJobs: true,
    }),
  };
}

const body = (r: RecordedRequest | undefined): Record<string, unknown> =>
  JSON.parse(r?.body ?? '{}') as Record<string, unknown>;

test('a declared kind rolls by one apply of the mark at its template path, with its own apiVersion and kind', async (t) => {
  const { api, writer } = await start(t);
  await writer.roll(workload(runner.kind), roll);
  const [req] = api.requests;
  assert.equal(req?.path, '/apis/example.com/v1/namespaces/ns/runners/w');
  assert.equal(req.headers['content-type'], 'application/apply-patch+yaml');
  assert.deepEqual(body(req), {
    apiVersion: 'example.com/v1',
    kind: 'Runner',
    metadata: {
      name: 'w',
      namespace: 'ns',
      resourceVersion: '42',
      annotations: { [RECORD]: '{"v":2,"ConfigMap/cm":"*.abc"}', [ROLLED_AT]: '1764633600,1764633900' },
    },
    spec: { runner: { template: { metadata: { annotations: { 'mini-reloader.pelabs/config-hash': 'h2' } } } } },
  });
});

test('env-vars on a declared kind merges into the containers read back at its template path: custom resources keep lists whole', async (t) => {
  const current = { spec: { runner: { template: { spec: { containers: [{ name: 'app', image: 'x' }] } } } } };
  const { api, writer } = await start(t, (req) => (req.method === 'GET' ? current : {}));
  await writer.roll(workload(runner.kind), {
    ...roll,
    mark: { annotations: {}, env: new Map([['app', [{ name: 'STAKATER_CM_CONFIGMAP', value: 'v' }]]]) },
  });
  assert.equal(api.requests[1]?.headers['content-type'], 'application/merge-patch+json');
  assert.deepEqual(body(api.requests[1]).spec, {
    runner: {
      template: {
        spec: { containers: [{ name: 'app', image: 'x', env: [{ name: 'STAKATER_CM_CONFIGMAP', value: 'v' }] }] },
      },
    },
  });
});

test('a kind with a restart field rolls by one merge patch of the record and that field set to now, in RFC 3339 seconds, and no mark', async (t) => {
  const { api, writer } = await start(t);
  await writer.roll(workload(thing.kind), roll);
  const [req] = api.requests;
  assert.equal(req?.path, '/apis/example.com/v1/namespaces/ns/things/w');
  assert.equal(req.headers['content-type'], 'application/merge-patch+json');
  const patch = body(req);
  assert.deepEqual(patch.metadata, {
    resourceVersion: '42',
    annotations: { [RECORD]: '{"v":2,"ConfigMap/cm":"*.abc"}', [ROLLED_AT]: '1764633600,1764633900' },
  });
  const at = ((patch.spec as Record<string, unknown>).restart as Record<string, unknown>).at;
  assert.match(String(at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(Object.keys(patch.spec as object), ['restart']);
});

test('a Rollout with spec.workloadRef always rolls by spec.restartAt', async (t) => {
  const { api, writer } = await start(t);
  await writer.roll(workload('Rollout', { workloadRef: 'web' }), roll);
  const patch = body(api.requests[0]);
  assert.match(String((patch.spec as Record<string, unknown>).restartAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(api.requests.length, 1);
});
