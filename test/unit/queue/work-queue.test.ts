import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { WorkQueue, type WorkQueueOptions } from '../../../src/queue/work-queue.ts';

/** Lets resolved promises run their callbacks; setImmediate is not mocked. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A get() whose outcome can be inspected without awaiting it. */
interface Pending {
  readonly promise: Promise<string | undefined>;
  settled: boolean;
  value: string | undefined;
}

function pendingGet(queue: WorkQueue): Pending {
  const pending: Pending = { promise: queue.get(), settled: false, value: undefined };
  // get() never rejects; if it did, settled stays false and the test's assertions fail.
  pending.promise.then(
    (value) => {
      pending.settled = true;
      pending.value = value;
    },
    () => undefined,
  );
  return pending;
}

/** A get() that must resolve without time passing; fails instead of hanging if it does not. */
async function getNow(queue: WorkQueue): Promise<string | undefined> {
  const pending = pendingGet(queue);
  await flush();
  assert.ok(pending.settled, 'get() resolved without waiting');
  return pending.value;
}

function setup(t: TestContext, options: WorkQueueOptions = {}): WorkQueue {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const queue = new WorkQueue(options);
  t.after(() => {
    queue.shutDown();
  });
  return queue;
}

/** Advances mock time and lets the queue's handoffs settle. */
async function advance(t: TestContext, ms: number): Promise<void> {
  t.mock.timers.tick(ms);
  await flush();
}

const oneSecondBackoff = { baseBackoffMs: 1_000, maxBackoffMs: 60_000 } as const;

describe('WorkQueue deduplication', () => {
  test('a key added many times is held and delivered once', async (t) => {
    const queue = setup(t);
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.depth, 2);
    assert.equal(await getNow(queue), 'a');
    assert.equal(await getNow(queue), 'b');
    assert.equal(queue.depth, 0);
    const third = pendingGet(queue);
    await flush();
    assert.equal(third.settled, false);
  });

  test('a key in processing is not handed out again until done, then is scheduled once', async (t) => {
    const queue = setup(t);
    queue.add('a');
    assert.equal(await getNow(queue), 'a');
    queue.add('a');
    queue.add('a');
    assert.equal(queue.depth, 1, 'the re-add is pending behind the processing');
    const second = pendingGet(queue);
    await flush();
    assert.equal(second.settled, false);
    queue.done('a');
    await flush();
    assert.equal(second.value, 'a');
    queue.done('a');
    const third = pendingGet(queue);
    await flush();
    assert.equal(third.settled, false, 'the dirty key ran once, not once per add');
  });

  test('a dirty key keeps the delay it was given, counted from its add', async (t) => {
    const queue = setup(t);
    queue.add('a');
    assert.equal(await getNow(queue), 'a');
    queue.add('a', 2_000);
    await advance(t, 500);
    queue.done('a');
    const next = pendingGet(queue);
    await advance(t, 1_499);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('done of a key that is not processing changes nothing', async (t) => {
    const queue = setup(t);
    queue.add('a', 1_000);
    queue.done('a');
    queue.done('zzz');
    assert.equal(queue.depth, 1);
    const next = pendingGet(queue);
    await advance(t, 999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });
});

describe('WorkQueue debounce', () => {
  test('a key is not delivered before its delay', async (t) => {
    const queue = setup(t);
    queue.add('a', 2_000);
    const next = pendingGet(queue);
    await advance(t, 1_999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('a re-add with a delay pushes the deadline later', async (t) => {
    const queue = setup(t);
    queue.add('a', 2_000);
    await advance(t, 1_000);
    queue.add('a', 2_000);
    const next = pendingGet(queue);
    await advance(t, 1_999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('a plain add never pulls a debounced key forward', async (t) => {
    const queue = setup(t);
    queue.add('a', 2_000);
    queue.add('a');
    queue.add('a', 500);
    const next = pendingGet(queue);
    await advance(t, 1_999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('two edits within the debounce window give one delivery', async (t) => {
    const queue = setup(t);
    const key = 'Deployment/ns/web';
    queue.add(key, 2_000);
    await advance(t, 700);
    queue.add(key, 2_000);
    const first = pendingGet(queue);
    await advance(t, 2_000);
    assert.equal(first.value, key);
    queue.done(key);
    const second = pendingGet(queue);
    await advance(t, 60_000);
    assert.equal(second.settled, false);
  });

  test('constant churn cannot push a key past maxDelayMs after its first add', async (t) => {
    const queue = setup(t, { maxDelayMs: 10_000 });
    queue.add('a', 2_000);
    const next = pendingGet(queue);
    for (let elapsed = 0; elapsed < 9_000; elapsed += 1_000) {
      await advance(t, 1_000);
      queue.add('a', 2_000);
      assert.equal(next.settled, false);
    }
    await advance(t, 999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('the maxDelayMs window restarts once the key was delivered', async (t) => {
    const queue = setup(t, { maxDelayMs: 5_000 });
    queue.add('a', 1_000);
    assert.equal(await advanceUntilGet(t, queue), 'a');
    queue.done('a');
    // The new window opens now: the cap is now + 5 s, not first add + 5 s (which has passed).
    queue.add('a', 4_000);
    await advance(t, 3_000);
    queue.add('a', 4_000);
    const next = pendingGet(queue);
    await advance(t, 1_999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('negative delays count as zero', async (t) => {
    const queue = setup(t);
    queue.add('a');
    queue.add('b', -5_000);
    assert.equal(await getNow(queue), 'a');
    assert.equal(await getNow(queue), 'b');
  });
});

/** Starts a get() and advances time until it resolves, so tests need not compute when. */
async function advanceUntilGet(t: TestContext, queue: WorkQueue): Promise<string | undefined> {
  const next = pendingGet(queue);
  for (let i = 0; i < 1_000 && !next.settled; i++) await advance(t, 100);
  assert.ok(next.settled, 'a key became ready');
  return next.value;
}

describe('WorkQueue failure backoff', () => {
  test('addRateLimited delays by the key’s backoff, doubling per failure', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    const delays: number[] = [];
    queue.add('a');
    assert.equal(await getNow(queue), 'a');
    for (let failure = 0; failure < 4; failure++) {
      queue.addRateLimited('a');
      queue.done('a');
      const start = Date.now();
      assert.equal(await advanceUntilGetStep(t, queue, 10), 'a');
      delays.push(Date.now() - start);
    }
    assert.equal(queue.failures('a'), 4);
    delays.forEach((delay, n) => {
      const nominal = 1_000 * 2 ** n;
      assert.ok(delay >= nominal * 0.9 && delay <= nominal * 1.1 + 10, `retry ${n} waited ${delay} ms`);
    });
  });

  test('the backoff never exceeds maxBackoffMs', async (t) => {
    const queue = setup(t, { baseBackoffMs: 1_000, maxBackoffMs: 3_000 });
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    const next = pendingGet(queue);
    await advance(t, 3_000);
    assert.equal(next.settled, true);
  });

  test('forget resets the failure count so the next backoff starts from the base', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    assert.equal(queue.failures('a'), 3);
    assert.equal(queue.failures('b'), 0);
    await advanceUntilGet(t, queue);
    queue.forget('a');
    assert.equal(queue.failures('a'), 0);
    queue.done('a');
    queue.addRateLimited('a');
    assert.equal(queue.failures('a'), 1);
    const next = pendingGet(queue);
    await advance(t, 1_100);
    assert.equal(next.value, 'a');
  });

  test('a fresh add replaces a backoff deadline, even with an earlier one', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    for (let i = 0; i < 5; i++) queue.addRateLimited('a');
    queue.add('a', 2_000);
    const next = pendingGet(queue);
    await advance(t, 1_999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('a plain add after a backoff makes the key ready at once', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    queue.addRateLimited('a');
    queue.add('a');
    assert.equal(await getNow(queue), 'a');
  });

  test('after a fresh add replaced a backoff, the key debounces normally again', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    queue.addRateLimited('a');
    queue.add('a', 2_000);
    queue.add('a');
    const next = pendingGet(queue);
    await advance(t, 1_999);
    assert.equal(next.settled, false, 'the plain add did not pull it forward');
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('a fresh add after a long backoff opens a new maxDelayMs window', async (t) => {
    const queue = setup(t, { baseBackoffMs: 1_000, maxBackoffMs: 60_000, maxDelayMs: 5_000 });
    queue.addRateLimited('a');
    await advance(t, 10_000);
    queue.add('a', 2_000);
    await advance(t, 1_000);
    queue.add('a', 2_000);
    const next = pendingGet(queue);
    await advance(t, 1_999);
    assert.equal(next.settled, false, 'the cap counts from the fresh add, not from the backoff');
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('addRateLimited on a debounced key keeps the later deadline', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    queue.add('short', 100);
    queue.addRateLimited('short');
    queue.add('long', 5_000);
    queue.addRateLimited('long');
    const first = pendingGet(queue);
    await advance(t, 899);
    assert.equal(first.settled, false, 'the backoff (≥ 900 ms) is later than the 100 ms debounce');
    await advance(t, 201);
    assert.equal(first.value, 'short');
    const second = pendingGet(queue);
    await advance(t, 3_899);
    assert.equal(second.settled, false, 'the 5 s debounce is later than the backoff');
    await advance(t, 1);
    assert.equal(second.value, 'long');
  });

  test('a fresh add after addRateLimited on a debounced key keeps the debounce', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    queue.add('a', 3_000);
    queue.addRateLimited('a');
    queue.add('a');
    const next = pendingGet(queue);
    await advance(t, 2_999);
    assert.equal(next.settled, false);
    await advance(t, 1);
    assert.equal(next.value, 'a');
  });

  test('a failure does not delay a re-add that arrived while the key was processed', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    queue.add('a');
    assert.equal(await getNow(queue), 'a');
    queue.add('a');
    queue.addRateLimited('a');
    queue.done('a');
    assert.equal(await getNow(queue), 'a');
    assert.equal(queue.failures('a'), 1);
  });

  test('a failure with no re-add is retried after its backoff once done', async (t) => {
    const queue = setup(t, oneSecondBackoff);
    queue.add('a');
    assert.equal(await getNow(queue), 'a');
    queue.addRateLimited('a');
    assert.equal(queue.depth, 1);
    queue.done('a');
    const next = pendingGet(queue);
    await advance(t, 899);
    assert.equal(next.settled, false);
    await advance(t, 201);
    assert.equal(next.value, 'a');
  });
});

/** Like advanceUntilGet, in small steps, so the measured wait is close to the deadline. */
async function advanceUntilGetStep(t: TestContext, queue: WorkQueue, stepMs: number): Promise<string | undefined> {
  const next = pendingGet(queue);
  for (let i = 0; i < 100_000 && !next.settled; i++) await advance(t, stepMs);
  assert.ok(next.settled, 'a key became ready');
  return next.value;
}

describe('WorkQueue ordering and workers', () => {
  test('ready keys come out in deadline order, FIFO among equal deadlines', async (t) => {
    const queue = setup(t);
    queue.add('late', 3_000);
    queue.add('early', 1_000);
    queue.add('x', 2_000);
    queue.add('y', 2_000);
    queue.add('z', 2_000);
    await advance(t, 5_000);
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) order.push(await getNow(queue));
    assert.deepEqual(order, ['early', 'x', 'y', 'z', 'late']);
  });

  test('a key whose deadline moved later queues behind keys that had that deadline first', async (t) => {
    const queue = setup(t);
    queue.add('a', 1_000);
    queue.add('b', 2_000);
    await advance(t, 500);
    queue.add('a', 1_500);
    await advance(t, 2_000);
    assert.equal(await getNow(queue), 'b');
    assert.equal(await getNow(queue), 'a');
  });

  test('concurrent getters each receive a distinct key', async (t) => {
    const queue = setup(t);
    const first = pendingGet(queue);
    const second = pendingGet(queue);
    const third = pendingGet(queue);
    queue.add('a', 100);
    queue.add('b', 100);
    queue.add('a', 100);
    await advance(t, 100);
    assert.deepEqual([first.value, second.value].sort(), ['a', 'b']);
    assert.equal(third.settled, false, 'the third getter waits: only two distinct keys exist');
    queue.add('c');
    await flush();
    assert.equal(third.value, 'c');
  });

  test('getters are served in the order they called', async (t) => {
    const queue = setup(t);
    const first = pendingGet(queue);
    const second = pendingGet(queue);
    queue.add('a');
    await flush();
    assert.equal(first.value, 'a');
    assert.equal(second.settled, false);
  });

  test('a getter waiting for a delayed key is woken when an earlier key is added', async (t) => {
    const queue = setup(t);
    queue.add('later', 10_000);
    const next = pendingGet(queue);
    await advance(t, 1_000);
    queue.add('now');
    await flush();
    assert.equal(next.value, 'now');
  });

  test('depth counts ready, waiting and dirty keys, and reports each change', async (t) => {
    const depths: number[] = [];
    const queue = setup(t, {
      onDepthChange: (depth) => {
        depths.push(depth);
      },
    });
    queue.add('a');
    queue.add('b', 1_000);
    queue.add('b');
    assert.equal(queue.depth, 2);
    assert.equal(await getNow(queue), 'a');
    assert.equal(queue.depth, 1);
    queue.add('a');
    assert.equal(queue.depth, 2);
    queue.done('a');
    assert.equal(queue.depth, 2);
    assert.deepEqual(depths, [1, 2, 1, 2]);
  });
});

describe('WorkQueue shutDown', () => {
  test('resolves waiting getters and future getters with undefined', async (t) => {
    const queue = setup(t);
    queue.add('a', 10_000);
    const waiting = [pendingGet(queue), pendingGet(queue)];
    queue.shutDown();
    await flush();
    assert.deepEqual(
      waiting.map((w) => [w.settled, w.value]),
      [
        [true, undefined],
        [true, undefined],
      ],
    );
    assert.equal(await getNow(queue), undefined);
  });

  test('drops held keys, ignores later adds and leaves no timer behind', async (t) => {
    const depths: number[] = [];
    const queue = setup(t, {
      onDepthChange: (depth) => {
        depths.push(depth);
      },
    });
    queue.add('a', 10_000);
    const waiting = pendingGet(queue);
    queue.shutDown();
    queue.add('b');
    queue.addRateLimited('c');
    assert.equal(queue.depth, 0);
    assert.deepEqual(depths, [1, 0]);
    await flush();
    assert.equal(waiting.value, undefined);
    queue.done('a');
    queue.shutDown();
    assert.equal(await getNow(queue), undefined);
  });

  test('a worker loop ends after shutDown', async (t) => {
    const queue = setup(t);
    const seen: string[] = [];
    let ended = false;
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) break;
        seen.push(key);
        queue.done(key);
      }
      ended = true;
    };
    const running = worker();
    queue.add('a');
    queue.add('b');
    await flush();
    assert.equal(ended, false);
    queue.shutDown();
    await flush();
    assert.equal(ended, true);
    assert.deepEqual(seen, ['a', 'b']);
    await running;
  });
});

describe('WorkQueue metrics', () => {
  test('every add and retry is reported, and each handout with how long its key waited since it was queued', async (t) => {
    const seen = { added: 0, retried: 0, waited: [] as number[] };
    const queue = setup(t, {
      ...oneSecondBackoff,
      metrics: {
        added: () => {
          seen.added++;
        },
        retried: () => {
          seen.retried++;
        },
        waited: (s) => {
          seen.waited.push(s);
        },
      },
    });
    queue.add('a', 2_000);
    queue.add('a');
    assert.equal(seen.added, 2, 'a deduplicated add counts too');
    const got = pendingGet(queue);
    await advance(t, 2_000);
    assert.equal(got.value, 'a');
    assert.deepEqual(seen.waited, [2], 'queued at the first add, handed out at its debounce deadline');
    assert.equal(queue.queuedAt('a'), 1_000_000);

    // A retry keeps the time the failed attempt was queued, as Stakater's re-added item keeps its enqueue time.
    queue.addRateLimited('a');
    queue.done('a');
    assert.equal(seen.retried, 1);
    const again = pendingGet(queue);
    await advance(t, 1_100);
    assert.equal(again.value, 'a');
    assert.equal(seen.waited.length, 2);
    const waited = seen.waited[1] ?? 0;
    assert.ok(
      waited >= 2.9 && waited <= 3.1,
      `waited ${String(waited)} s: the first wait, then the backoff (1 s ±10%)`,
    );
    assert.equal(queue.queuedAt('b'), undefined, 'a key not in processing has no queue time');
  });

  test('nothing is counted after shutDown', (t) => {
    let added = 0;
    const queue = setup(t, {
      metrics: {
        added: () => {
          added++;
        },
        retried: () => {
          added++;
        },
        waited: () => undefined,
      },
    });
    queue.shutDown();
    queue.add('a');
    queue.addRateLimited('a');
    assert.equal(added, 0);
  });
});
