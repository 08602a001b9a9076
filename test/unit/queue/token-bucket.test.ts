import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { TokenBucket } from '../../../src/queue/token-bucket.ts';

/** Lets resolved promises run their callbacks; setImmediate is not mocked. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Taken {
  state: 'waiting' | 'taken' | 'rejected';
  error: unknown;
  at: number;
}

function take(bucket: TokenBucket, signal?: AbortSignal): Taken {
  const taken: Taken = { state: 'waiting', error: undefined, at: NaN };
  bucket.take(signal).then(
    () => {
      taken.state = 'taken';
      taken.at = Date.now();
    },
    (err: unknown) => {
      taken.state = 'rejected';
      taken.error = err;
    },
  );
  return taken;
}

/** A take() that must succeed without time passing; fails instead of hanging if it does not. */
async function takeNow(bucket: TokenBucket): Promise<void> {
  const taken = take(bucket);
  await flush();
  assert.equal(taken.state, 'taken', 'a token was free');
}

function useClock(t: TestContext): () => number {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 50_000 });
  return () => Date.now();
}

async function advance(t: TestContext, ms: number): Promise<void> {
  t.mock.timers.tick(ms);
  await flush();
}

test('a full bucket hands out burst tokens at once, then one per 1/rate seconds', async (t) => {
  const bucket = new TokenBucket(10, 3, useClock(t));
  const first = [take(bucket), take(bucket), take(bucket)];
  const fourth = take(bucket);
  await flush();
  assert.deepEqual(
    first.map((x) => x.state),
    ['taken', 'taken', 'taken'],
  );
  assert.equal(fourth.state, 'waiting');
  await advance(t, 99);
  assert.equal(fourth.state, 'waiting');
  await advance(t, 1);
  assert.equal(fourth.state, 'taken');
});

test('an idle bucket refills only up to burst', async (t) => {
  const bucket = new TokenBucket(10, 2, useClock(t));
  await advance(t, 60_000);
  const takes = [take(bucket), take(bucket), take(bucket)];
  await flush();
  assert.deepEqual(
    takes.map((x) => x.state),
    ['taken', 'taken', 'waiting'],
  );
});

test('a rate of zero or less means unlimited', async (t) => {
  for (const rate of [0, -1]) {
    const bucket = new TokenBucket(rate, 1, useClock(t));
    const takes = Array.from({ length: 1_000 }, () => take(bucket));
    await flush();
    assert.ok(takes.every((x) => x.state === 'taken'));
    t.mock.timers.reset();
  }
});

test('waiters are served in call order', async (t) => {
  const bucket = new TokenBucket(1, 1, useClock(t));
  await takeNow(bucket);
  const waiters = [take(bucket), take(bucket), take(bucket)];
  for (let served = 1; served <= 3; served++) {
    await advance(t, 1_000);
    assert.deepEqual(
      waiters.map((w) => w.state === 'taken'),
      [0, 1, 2].map((i) => i < served),
    );
  }
});

test('a new caller does not jump ahead of a waiter once a token refills', async (t) => {
  const bucket = new TokenBucket(2, 1, useClock(t));
  await takeNow(bucket);
  const waiting = take(bucket);
  await advance(t, 499);
  const late = take(bucket);
  await advance(t, 1);
  assert.equal(waiting.state, 'taken');
  assert.equal(late.state, 'waiting');
});

test('a caller arriving after a token refilled but before the waiter was woken queues behind it', async (t) => {
  useClock(t);
  // A clock that runs ahead of the timers, as a real one does when a timer fires late.
  let clock = 0;
  const bucket = new TokenBucket(1, 1, () => clock);
  await takeNow(bucket);
  const waiting = take(bucket);
  clock += 1_000;
  const late = take(bucket);
  await flush();
  assert.equal(late.state, 'waiting', 'the newcomer did not take the refilled token');
  await advance(t, 1_000);
  assert.equal(waiting.state, 'taken');
  assert.equal(late.state, 'waiting');
});

test('aborting a waiter rejects it at once with an AbortError and frees its place', async (t) => {
  const bucket = new TokenBucket(1, 1, useClock(t));
  await takeNow(bucket);
  const controller = new AbortController();
  const head = take(bucket, controller.signal);
  const next = take(bucket);
  await advance(t, 200);
  controller.abort();
  await flush();
  assert.equal(head.state, 'rejected');
  assert.ok(head.error instanceof Error);
  assert.equal(head.error.name, 'AbortError');
  await advance(t, 800);
  assert.equal(next.state, 'taken', 'the aborted waiter took no token');
});

test('a waiter behind others is rejected as soon as its signal aborts', async (t) => {
  const bucket = new TokenBucket(1, 1, useClock(t));
  await takeNow(bucket);
  const first = take(bucket);
  const controller = new AbortController();
  const second = take(bucket, controller.signal);
  controller.abort();
  await flush();
  assert.equal(first.state, 'waiting');
  assert.equal(second.state, 'rejected');
});

test('an already aborted signal rejects without taking a token', async (t) => {
  const bucket = new TokenBucket(1, 1, useClock(t));
  const aborted = take(bucket, AbortSignal.abort());
  const after = take(bucket);
  await flush();
  assert.equal(aborted.state, 'rejected');
  assert.equal(after.state, 'taken');
});

test('an abort reason that is not an AbortError becomes the cause of one', async (t) => {
  const bucket = new TokenBucket(1, 1, useClock(t));
  await takeNow(bucket);
  const controller = new AbortController();
  const reason = new Error('shutting down');
  const waiting = take(bucket, controller.signal);
  controller.abort(reason);
  await flush();
  assert.ok(waiting.error instanceof Error);
  assert.equal(waiting.error.name, 'AbortError');
  assert.equal(waiting.error.cause, reason);
});

test('no window of time sees more than burst + rate × window tokens, and every taker is served', async (t) => {
  const now = useClock(t);
  const arrival = fc.record({ gapMs: fc.integer({ min: 0, max: 2_000 }), count: fc.integer({ min: 1, max: 5 }) });
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 10 }),
      fc.array(arrival, { minLength: 1, maxLength: 20 }),
      async (rate, burst, arrivals) => {
        const bucket = new TokenBucket(rate, burst, now);
        const takes: Taken[] = [];
        for (const { gapMs, count } of arrivals) {
          t.mock.timers.tick(gapMs);
          for (let i = 0; i < count; i++) takes.push(take(bucket));
          await flush();
        }
        for (let i = 0; i < 10_000 && takes.some((x) => x.state === 'waiting'); i++) {
          t.mock.timers.tick(Math.ceil(1_000 / rate));
          await flush();
        }
        assert.ok(
          takes.every((x) => x.state === 'taken'),
          'every taker was served',
        );
        const times = takes.map((x) => x.at).sort((a, b) => a - b);
        for (let i = 0; i < times.length; i++) {
          for (let j = i; j < times.length; j++) {
            const window = (times[j] ?? 0) - (times[i] ?? 0);
            const allowed = burst + (rate * window) / 1_000;
            assert.ok(
              j - i + 1 <= allowed + 1e-6,
              `${j - i + 1} tokens within ${window} ms (rate ${rate}/s, burst ${burst})`,
            );
          }
        }
      },
    ),
    { numRuns: 150 },
  );
});
