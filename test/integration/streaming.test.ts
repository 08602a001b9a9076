import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiProxy, type ProxiedRequest, type Tamper } from './support/api-proxy.ts';
import { clients, eventually, testCluster, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, createSecret, updateConfigMap, updateSecret } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { deployment } from './support/workloads.ts';

const RESOURCES = [
  'configmaps',
  'secrets',
  'deployments',
  'statefulsets',
  'daemonsets',
  'cronjobs',
  'jobs',
  'rollouts',
  'namespaces',
] as const;
const SELECTED = { 'streaming-test': 'selected' };
const END_BOOKMARK = 'k8s.io/initial-events-end';
const gone = JSON.stringify({
  type: 'ERROR',
  object: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code: 410,
    reason: 'Expired',
    message: 'too old resource version (injected by the test)',
  },
});

/** `apiserver_request_total` of cluster-wide requests, summed by verb and resource, from the API server's /metrics. */
async function requestCounts(): Promise<Map<string, number>> {
  const cluster = testCluster();
  const text = await new Promise<string>((resolve, reject) => {
    // The test's own API server on loopback, whose certificate the test does not pin.
    const req = request(
      `${cluster.server}/metrics`,
      { headers: { authorization: `Bearer ${cluster.adminToken}` }, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          resolve(body);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    // Namespaced LISTs are also what kube-controller-manager makes while it deletes other tests' namespaces.
    if (!line.startsWith('apiserver_request_total{') || !line.includes('scope="cluster"')) continue;
    const verb = /verb="([A-Z]+)"/.exec(line)?.[1];
    const resource = /[{,]resource="([a-z]*)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (verb === undefined || resource === undefined) continue;
    const key = `${verb} ${resource}`;
    counts.set(key, (counts.get(key) ?? 0) + value);
  }
  return counts;
}

function delta(before: Map<string, number>, after: Map<string, number>, key: string): number {
  return (after.get(key) ?? 0) - (before.get(key) ?? 0);
}

/** A namespace labelled SELECTED with ConfigMaps, a Secret, and an auto-annotated Deployment `web` using ConfigMap `cm-0`. */
async function populated(t: TestContext, c: Clients): Promise<string> {
  const ns = await testNamespace(t, c);
  const namespace = await c.core.readNamespace({ name: ns });
  namespace.metadata ??= {};
  namespace.metadata.labels = { ...namespace.metadata.labels, ...SELECTED };
  await c.core.replaceNamespace({ name: ns, body: namespace });
  for (let i = 0; i < 5; i++) await createConfigMap(c, ns, `cm-${i}`, { VALUE: `v${i}` });
  await createSecret(c, ns, 'creds', { password: 'one' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        containers: [
          { name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'cm-0' } }, { secretRef: { name: 'creds' } }] },
        ],
      },
      AUTO,
    ),
  });
  return ns;
}

/** The controller serves the namespace: a change to the Deployment's ConfigMap rolls it. */
async function rollsOnChange(c: Clients, controller: ControllerProcess, ns: string): Promise<void> {
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'cm-0', { VALUE: 'changed' });
  await controller.decided(key, 'rolled', mark);
}

/** A controller for `ns` only that reaches the API server through a proxy of the test's own. */
async function proxied(
  t: TestContext,
  ns: string,
  tamper: (req: ProxiedRequest) => Tamper | undefined,
): Promise<{ proxy: ApiProxy; controller: ControllerProcess }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'streaming-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const proxy = await ApiProxy.start(testCluster());
  t.after(() => proxy.close());
  proxy.tamper = tamper;
  const controller = await startController(t, ns, [], proxy.kubeconfig(dir));
  return { proxy, controller };
}

/** Breaks the n-th initial-events stream of `resource` (0-based) as `breaks` says; the others pass. */
function nthStream(resource: string, breaks: ReadonlyMap<number, Tamper>): (req: ProxiedRequest) => Tamper | undefined {
  let seen = 0;
  return (req) => {
    if (!req.path.endsWith(`/${resource}`) || req.query.get('sendInitialEvents') === null) return undefined;
    return breaks.get(seen++);
  };
}

test("the initial state streams: no LIST of any watched resource at start, on the API server's own count", async (t) => {
  const c = clients();
  const ns = await populated(t, c);
  const before = await requestCounts();
  // Cluster-wide, so that its requests are told apart from namespaced ones by scope.
  const controller = await startController(t, undefined, [
    `--namespace-selector=${Object.entries(SELECTED)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`,
  ]);
  await rollsOnChange(c, controller, ns);
  await controller.stop();
  // A WATCH is counted when it ends.
  const after = await eventually('the ended watches to be counted', async () => {
    const counts = await requestCounts();
    return RESOURCES.filter((r) => r !== 'rollouts').every((r) => delta(before, counts, `WATCH ${r}`) > 0)
      ? counts
      : undefined;
  });
  for (const resource of RESOURCES) assert.equal(delta(before, after, `LIST ${resource}`), 0, `LIST ${resource}`);
  assert.equal(controller.lines.filter((l) => l.msg.startsWith('the API server does not stream lists')).length, 0);
});

test('a stream cut before its initial-events-end bookmark streams again, from scratch, and the controller serves as usual', async (t) => {
  const c = clients();
  const ns = await populated(t, c);
  const { proxy, controller } = await proxied(
    t,
    ns,
    nthStream('configmaps', new Map([[0, { after: (_line, i) => i === 1 }]])),
  );
  await rollsOnChange(c, controller, ns);
  assert.equal(proxy.streams('configmaps').length, 2);
  assert.ok(controller.lines.some((l) => l.msg === 'relisted' && l.resource === 'configmaps' && l.reason === 'error'));
  for (const resource of RESOURCES) assert.equal(proxy.lists(resource).length, 0, `LIST ${resource}`);
});

test('a 410 in the middle of the initial events, and one after them, each start a new stream, never a LIST', async (t) => {
  const c = clients();
  const ns = await populated(t, c);
  const { proxy, controller } = await proxied(
    t,
    ns,
    nthStream(
      'configmaps',
      new Map<number, Tamper>([
        [0, { after: (_line, i) => i === 2, then: gone }],
        [1, { after: (line) => line.includes(END_BOOKMARK), then: gone }],
      ]),
    ),
  );
  await eventually('a third configmaps stream', () =>
    Promise.resolve(proxy.streams('configmaps').length >= 3 ? true : undefined),
  );
  await rollsOnChange(c, controller, ns);
  const relists = controller.lines.filter((l) => l.msg === 'relisted' && l.resource === 'configmaps');
  assert.deepEqual(
    relists.map((l) => l.reason),
    ['gone', 'gone'],
    JSON.stringify(relists),
  );
  const unserved = controller.lines.filter((l) => l.msg.startsWith('the API server does not stream lists'));
  for (const resource of RESOURCES)
    assert.equal(proxy.lists(resource).length, 0, `LIST ${resource}: ${JSON.stringify(unserved)}`);
  for (const stream of proxy.streams('configmaps')) assert.equal(stream.query.get('resourceVersion'), '');
});

test('a server that rejects sendInitialEvents (422, as kube-apiserver without WatchList) is listed in small pages', async (t) => {
  const c = clients();
  const ns = await populated(t, c);
  const { proxy, controller } = await proxied(t, ns, (req) =>
    req.query.get('sendInitialEvents') === null
      ? undefined
      : {
          reply: {
            status: 422,
            body: {
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Failure',
              code: 422,
              reason: 'Invalid',
              message: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
            },
          },
        },
  );
  await rollsOnChange(c, controller, ns);
  for (const resource of ['configmaps', 'secrets', 'deployments']) {
    assert.equal(proxy.streams(resource).length, 1, `one try at streaming ${resource}`);
    assert.ok(proxy.lists(resource).length >= 1, `LIST ${resource}`);
    assert.ok(proxy.lists(resource).every((r) => r.query.get('limit') === '100'));
    assert.ok(
      controller.lines.some(
        (l) =>
          l.msg.startsWith('the API server does not stream lists') && l.resource === resource && l.why === 'HTTP 422',
      ),
    );
  }
});

test(
  'a server that ignores sendInitialEvents (a plain watch, no end bookmark) is listed after a quiet spell',
  { timeout: 120_000 },
  async (t) => {
    const c = clients();
    const ns = await populated(t, c);
    // Without these three, kube-apiserver answers a watch from "" as servers before WatchList did:
    // an ADDED event per object, then changes, and no bookmark that ends the initial events.
    const { proxy, controller } = await proxied(t, ns, (req) =>
      req.query.get('sendInitialEvents') === null
        ? undefined
        : { dropQuery: ['sendInitialEvents', 'resourceVersionMatch', 'allowWatchBookmarks'] },
    );
    await rollsOnChange(c, controller, ns);
    assert.equal(proxy.streams('configmaps').length, 1);
    assert.ok(proxy.lists('configmaps').length >= 1);
    assert.ok(
      controller.lines.some(
        (l) =>
          l.msg.startsWith('the API server does not stream lists') &&
          l.resource === 'configmaps' &&
          l.why === 'no end bookmark',
      ),
    );
  },
);

test('while the ConfigMap watch is down nothing is decided: a ConfigMap and a Secret changed together roll once, with both, when it is back', async (t) => {
  const c = clients();
  const ns = await populated(t, c);
  let down = false;
  const unavailable = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503, reason: 'ServiceUnavailable' };
  const { proxy, controller } = await proxied(t, ns, (req) =>
    down && req.path.endsWith('/configmaps') && req.query.get('watch') !== null
      ? { reply: { status: 503, body: unavailable } }
      : undefined,
  );
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  down = true;
  assert.equal(proxy.cut('configmaps'), 1, 'the one ConfigMap watch');
  await updateSecret(c, ns, 'creds', { password: 'two' });
  await updateConfigMap(c, ns, 'cm-0', { VALUE: 'changed' });
  // The Secret's change is seen at once; a roll for it alone, after the 1 s debounce, would be followed by one for
  // the ConfigMap. The watch stays down well past that debounce.
  await sleep(3000);
  down = false;

  const back = await controller.waitFor(
    'the ConfigMap watch to be back',
    (l) => l.msg.startsWith('watch back') && l.resource === 'configmaps',
    mark,
  );
  assert.equal(back['workloads'], 1, 'web waited for it');
  const rolled = await controller.decided(key, 'rolled', mark);
  assert.ok(controller.lines.indexOf(rolled) > controller.lines.indexOf(back), 'it rolled once the watch was back');
  assert.deepEqual(rolled['changed'], ['ConfigMap/cm-0', 'Secret/creds'], 'one roll for both: nothing is left to roll');
});
