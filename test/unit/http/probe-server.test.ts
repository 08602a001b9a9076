import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/metrics.ts';
import { parseListenAddress } from '../../../src/http/listen.ts';
import { startProbeServer, type ProbeServer } from '../../../src/http/probe-server.ts';

interface Harness {
  readonly server: ProbeServer;
  readonly base: string;
  readonly state: { ready: boolean; live: boolean; throwOnReady: boolean };
  readonly logs: string[];
}

async function start(t: TestContext, registry = createMetrics().registry): Promise<Harness> {
  const state = { ready: false, live: true, throwOnReady: false };
  const logs: string[] = [];
  const logger = createLogger('json', 'info', {
    write: (line: string) => {
      logs.push(line);
    },
  });
  const server = await startProbeServer({
    address: '127.0.0.1:0',
    registry,
    isReady: () => {
      if (state.throwOnReady) throw new Error('readiness check exploded');
      return state.ready;
    },
    isLive: () => state.live,
    logger,
  });
  t.after(async () => {
    await server.close();
  });
  return { server, base: `http://127.0.0.1:${server.port}`, state, logs };
}

async function get(url: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

test('binds an ephemeral port on 127.0.0.1:0', async (t) => {
  const { server } = await start(t);
  assert.ok(server.port > 0);
});

test('/healthz and /live: 200 "ok" while live, 503 when not', async (t) => {
  const { base, state } = await start(t);
  for (const path of ['/healthz', '/live']) {
    const ok = await get(`${base}${path}`);
    assert.equal(ok.status, 200, path);
    assert.equal(ok.body.trim(), 'ok');
  }
  state.live = false;
  for (const path of ['/healthz', '/live']) assert.equal((await get(`${base}${path}`)).status, 503, path);
  state.live = true;
  assert.equal((await get(`${base}/healthz`)).status, 200);
});

test('/readyz follows isReady: 503 with a reason, then 200, then 503 again', async (t) => {
  const { base, state } = await start(t);
  const before = await get(`${base}/readyz`);
  assert.equal(before.status, 503);
  assert.match(before.body, /not ready/);
  state.ready = true;
  assert.equal((await get(`${base}/readyz`)).status, 200);
  state.ready = false;
  assert.equal((await get(`${base}/readyz`)).status, 503);
});

test('/metrics serves the registry in Prometheus text format with our and Stakater metric names', async (t) => {
  const metrics = createMetrics();
  metrics.observeReconcile('Deployment', 'ns', 'rolled', 0.01);
  metrics.setQueueDepth(3);
  const { base } = await start(t, metrics.registry);
  const res = await get(`${base}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.type, metrics.registry.contentType);
  for (const name of [
    'mini_reloader_rolls_total',
    'mini_reloader_reconcile_duration_seconds',
    'mini_reloader_reconcile_total',
    'mini_reloader_workqueue_depth',
    'reloader_reload_executed_total',
    'reloader_reconcile_total',
    'reloader_action_total',
    'reloader_workqueue_depth',
    'process_cpu_user_seconds_total',
  ]) {
    assert.match(res.body, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.match(res.body, /^mini_reloader_workqueue_depth 3$/m);
  assert.match(res.body, /^mini_reloader_rolls_total\{kind="Deployment",result="success"\} 1$/m);
});

test('query strings are ignored; unknown paths 404; other methods 405; HEAD has no body', async (t) => {
  const { base, state } = await start(t);
  state.ready = true;
  assert.equal((await get(`${base}/readyz?verbose=1`)).status, 200);
  assert.equal((await get(`${base}/`)).status, 404);
  assert.equal((await get(`${base}/metricsz`)).status, 404);
  const post = await fetch(`${base}/metrics`, { method: 'POST' });
  await post.arrayBuffer();
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  const head = await get(`${base}/healthz`, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('a handler that throws answers 500 and logs, and the server keeps serving', async (t) => {
  const { base, state, logs } = await start(t);
  state.throwOnReady = true;
  const res = await get(`${base}/readyz`);
  assert.equal(res.status, 500);
  assert.ok(
    logs.some((l) => l.includes('readiness check exploded')),
    'the failure is logged',
  );
  state.throwOnReady = false;
  state.ready = true;
  assert.equal((await get(`${base}/readyz`)).status, 200);
});

test('a registry that fails to render answers 500', async (t) => {
  const metrics = createMetrics();
  metrics.registry.metrics = () => Promise.reject(new Error('collector broke'));
  const { base, logs } = await start(t, metrics.registry);
  assert.equal((await get(`${base}/metrics`)).status, 500);
  assert.ok(logs.some((l) => l.includes('collector broke')));
  assert.equal((await get(`${base}/healthz`)).status, 200);
});

test('close() stops listening, even with a kept-alive connection open', async (t) => {
  const { server, base } = await start(t);
  assert.equal((await get(`${base}/healthz`)).status, 200);
  await server.close();
  await assert.rejects(fetch(`${base}/healthz`));
});

test('a port already in use rejects with the address in the message', async (t) => {
  const { server } = await start(t);
  const logger = createLogger('json', 'error', { write: () => undefined });
  await assert.rejects(
    startProbeServer({
      address: `127.0.0.1:${server.port}`,
      registry: createMetrics().registry,
      isReady: () => true,
      isLive: () => true,
      logger,
    }),
    (err: unknown) => err instanceof Error && err.message.includes(`127.0.0.1:${server.port}`),
  );
});

test('listen addresses: :port means every interface; IPv6 in brackets; bad ones are explained', () => {
  assert.deepEqual(parseListenAddress(':9090'), { host: undefined, port: 9090 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:8080'), { host: '::1', port: 8080 });
  assert.deepEqual(parseListenAddress('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of ['9090', ':', ':port', '::1:80', '[::1]', 'host:65536', '[zz]:1', 'a b:1', 'host:-1']) {
    assert.throws(() => parseListenAddress(bad), Error, bad);
  }
});
