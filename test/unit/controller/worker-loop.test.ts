import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerLoop } from '../../../src/controller/worker-loop.ts';
import { ApiError } from '../../../src/kube/api-error.ts';
import { createLogger } from '../../../src/logger.ts';
import { referenceKey, type ConfigId } from '../../../src/model/config-id.ts';
import { workloadKey, type WorkloadKey } from '../../../src/model/workload-key.ts';
import { WorkQueue } from '../../../src/queue/work-queue.ts';
import type { ReconcileResult } from '../../../src/reload/reconciler.ts';

const logger = createLogger('json', 'error', { write: () => undefined });
const metrics = { observeReconcile: () => undefined, countError: () => undefined };
const web = workloadKey('Deployment', 'shop', 'web');
const api = workloadKey('Deployment', 'shop', 'api');
const settings = referenceKey('ConfigMap', 'settings');

/** The real queue, noting which keys were retried with backoff. */
class RecordingQueue extends WorkQueue<WorkloadKey> {
  readonly rateLimited: WorkloadKey[] = [];
  override addRateLimited(key: WorkloadKey): void {
    this.rateLimited.push(key);
    super.addRateLimited(key);
  }
}

interface Call {
  readonly key: WorkloadKey;
  readonly causes: readonly ConfigId[];
  readonly writes: AbortSignal | undefined;
}

/** A worker loop of one worker over a fake reconciler; `answer` says what the n-th reconcile (from 0) does. */
function harness(answer: (call: Call, n: number) => Promise<ReconcileResult>, holds = (_: WorkloadKey) => false) {
  const queue = new RecordingQueue({ baseBackoffMs: 1, maxBackoffMs: 1 });
  const calls: Call[] = [];
  const failures: WorkloadKey[] = [];
  const stop = new AbortController();
  const writes = new AbortController();
  const loop = new WorkerLoop({
    queue,
    reconciler: {
      reconcile: (key, causes, signal) => {
        const call = { key, causes: [...(causes ?? [])], writes: signal };
        calls.push(call);
        return answer(call, calls.length - 1);
      },
      recordFailure: (key) => {
        failures.push(key);
      },
    },
    workers: 1,
    metrics,
    logger,
    holds,
  });
  return { queue, calls, failures, stop, writes, loop, run: () => loop.run(stop.signal, writes.signal) };
}

const rolled: ReconcileResult = { outcome: 'rolled' };

test('a key queued twice before a worker takes it is reconciled once', async () => {
  const h = harness((call) => {
    if (call.key === api) h.stop.abort();
    return Promise.resolve(rolled);
  });
  h.queue.add(web);
  h.queue.add(web);
  h.queue.add(api);
  await h.run();
  assert.deepEqual(
    h.calls.map((c) => c.key),
    [web, api],
  );
});

test('a failure is retried with backoff, keeps its causes for the retry, and a success forgets it', async () => {
  const h = harness((_, n) => {
    if (n === 0) return Promise.reject(new Error('API server unreachable'));
    h.stop.abort();
    return Promise.resolve(rolled);
  });
  h.loop.addCause(web, settings);
  h.queue.add(web);
  await h.run();
  assert.deepEqual(
    h.calls.map((c) => [c.key, c.causes]),
    [
      [web, [settings]],
      [web, [settings]],
    ],
  );
  assert.deepEqual(h.queue.rateLimited, [web]);
  assert.deepEqual(h.failures, [web], 'the first failure is recorded');
  assert.equal(h.queue.failures(web), 0, 'the success forgot the failure');
});

test('a write conflict is retried with backoff but not recorded as a failure', async () => {
  const h = harness((_, n) => {
    if (n === 0) return Promise.reject(new ApiError({ method: 'PATCH', path: '/apis/apps/v1', statusCode: 409 }));
    h.stop.abort();
    return Promise.resolve(rolled);
  });
  h.queue.add(web);
  await h.run();
  assert.equal(h.calls.length, 2);
  assert.deepEqual(h.queue.rateLimited, [web]);
  assert.deepEqual(h.failures, []);
});

test('a held key is forgotten without a reconcile', async () => {
  const h = harness(
    () => {
      h.stop.abort();
      return Promise.resolve(rolled);
    },
    (key) => key === web,
  );
  h.queue.add(web);
  h.queue.add(api);
  await h.run();
  assert.deepEqual(
    h.calls.map((c) => c.key),
    [api],
  );
  assert.deepEqual(h.queue.rateLimited, []);
  assert.equal(h.queue.failures(web), 0);
});

test('writes aborted mid-reconcile stop the worker without a retry', async () => {
  const h = harness(
    (call) =>
      new Promise((_, reject) => {
        assert.ok(call.writes, 'the reconcile is given the writes signal');
        call.writes.addEventListener('abort', () => {
          reject(new Error('aborted'));
        });
        h.writes.abort();
      }),
  );
  h.queue.add(web);
  h.queue.add(api);
  await h.run();
  assert.deepEqual(
    h.calls.map((c) => c.key),
    [web],
    'the worker stopped: api was not taken',
  );
  assert.deepEqual(h.queue.rateLimited, []);
  assert.deepEqual(h.failures, []);
});

test('a key waiting for a later look asked for by its result is reconciled at once when queued again meanwhile', async () => {
  const h = harness((_, n) => {
    if (n === 0) return Promise.resolve({ outcome: 'waiting', requeueAfterMs: 600_000 });
    h.stop.abort();
    return Promise.resolve(rolled);
  });
  h.queue.add(web);
  const running = h.run();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(h.calls.length, 1);
  h.queue.add(web);
  await running;
  assert.equal(h.calls.length, 2, 'the news is not held back until the later look');
});

test('the later look a result asks for queues the key again when its time comes', async () => {
  const h = harness((_, n) => {
    if (n === 0) return Promise.resolve({ outcome: 'waiting', requeueAfterMs: 10 });
    h.stop.abort();
    return Promise.resolve(rolled);
  });
  h.queue.add(web);
  await h.run();
  assert.deepEqual(
    h.calls.map((c) => c.key),
    [web, web],
  );
});
