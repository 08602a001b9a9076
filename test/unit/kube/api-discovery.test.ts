import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { discoverResource } from '../../../src/kube/api-discovery.ts';
import { FakeApiServer, sendJson, status } from './fake-api-server.ts';

const VERBS = ['get', 'list', 'watch', 'patch', 'create', 'delete'];
const resource = (name: string, kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  kind,
  namespaced: true,
  verbs: VERBS,
  ...extra,
});

async function serve(t: TestContext, answer: [number, unknown]): Promise<FakeApiServer> {
  const api = await FakeApiServer.start();
  t.after(() => api.close());
  api.route = (_req, res) => {
    sendJson(res, answer[0], answer[1]);
  };
  return api;
}

const thing = { group: 'example.com', version: 'v1', kind: 'Thing', resource: undefined };

test('the resource serving the kind is the one discovery lists for it, not a subresource', async (t) => {
  const api = await serve(t, [
    200,
    {
      kind: 'APIResourceList',
      resources: [resource('things/status', 'Thing'), resource('things', 'Thing'), resource('gadgets', 'Gadget')],
    },
  ]);
  assert.deepEqual(await discoverResource(api.client(), thing, AbortSignal.timeout(5000)), {
    served: true,
    resource: 'things',
  });
  assert.equal(api.requests[0]?.path, '/apis/example.com/v1');
});

test('a resource given is checked to serve the kind', async (t) => {
  const api = await serve(t, [200, { resources: [resource('things', 'Thing')] }]);
  assert.deepEqual(await discoverResource(api.client(), { ...thing, resource: 'things' }, AbortSignal.timeout(5000)), {
    served: true,
    resource: 'things',
  });
  const other = await discoverResource(api.client(), { ...thing, resource: 'widgets' }, AbortSignal.timeout(5000));
  assert.deepEqual(other, { served: false, why: 'example.com/v1 serves no resource widgets of kind Thing' });
});

test('a group version not served (its CRD is not installed) is not served, with the reason', async (t) => {
  const api = await serve(t, [404, status(404, 'NotFound', 'the server could not find the requested resource')]);
  assert.deepEqual(await discoverResource(api.client(), thing, AbortSignal.timeout(5000)), {
    served: false,
    why: 'example.com/v1 is not served (its CRD is not installed)',
  });
});

test('a cluster-scoped resource, or one that lacks a verb the controller uses, is no workload to follow', async (t) => {
  const scoped = await serve(t, [200, { resources: [resource('things', 'Thing', { namespaced: false })] }]);
  assert.match(
    ((await discoverResource(scoped.client(), thing, AbortSignal.timeout(5000))) as { why: string }).why,
    /cluster-scoped/,
  );
  const readOnly = await serve(t, [
    200,
    { resources: [resource('things', 'Thing', { verbs: ['get', 'list', 'watch'] })] },
  ]);
  assert.deepEqual(await discoverResource(readOnly.client(), thing, AbortSignal.timeout(5000)), {
    served: false,
    why: 'example.com/v1 things does not take patch',
  });
});

test('a malformed answer serves nothing and does not throw; another failure rejects', async (t) => {
  const odd = await serve(t, [200, { resources: 'nope' }]);
  assert.equal((await discoverResource(odd.client(), thing, AbortSignal.timeout(5000))).served, false);
  const failing = await serve(t, [500, status(500, 'InternalError', 'etcd down')]);
  await assert.rejects(discoverResource(failing.client(), thing, AbortSignal.timeout(5000)));
});
