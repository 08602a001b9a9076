import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WorkQueue } from '../../../src/queue/work-queue.ts';

/** Lets resolved promises run their callbacks; setImmediate is not mocked. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const KEYS = ['Deployment/ns/a', 'Deployment/ns/b', 'StatefulSet/ns/c', 'DaemonSet/other/d', 'Deployment/other/e'];
const OPTIONS = { baseBackoffMs: 100, maxBackoffMs: 2_000, maxDelayMs: 4_000 } as const;
const MAX_ADD_DELAY = 5_000;

type Op =
  | { readonly op: 'add'; readonly key: string; readonly delayMs: number }
  | { readonly op: 'addRateLimited'; readonly key: string }
  | { readonly op: 'forget'; readonly key: string }
  | { readonly op: 'get' }
  | { readonly op: 'done'; readonly pick: number }
  | { readonly op: 'tick'; readonly ms: number };

const key = fc.constantFrom(...KEYS);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      key,
      delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: MAX_ADD_DELAY })),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant('addRateLimited' as const), key }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('forget' as const), key }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('get' as const) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('done' as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3_000 }) }), weight: 3 },
);

/**
 * The model: which keys have work pending (added since they were last handed
 * out, including re-adds during processing) and which are in processing.
 */
class Model {
  readonly pending = new Set<string>();
  readonly processing = new Set<string>();
  readonly delivered: string[] = [];

  deliver(key: string): void {
    assert.ok(!this.processing.has(key), `${key} handed out while already in processing`);
    assert.ok(this.pending.has(key), `${key} handed out without pending work`);
    this.pending.delete(key);
    this.processing.add(key);
    this.delivered.push(key);
  }
}

test('random operation sequences keep the queue consistent with a model and deliver every key', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 80 }), async (ops) => {
      const queue = new WorkQueue(OPTIONS);
      const model = new Model();
      let stopped = false;
      let waiting = 0;
      /** A violation seen in a get() callback, rethrown by settle() so fast-check sees it. */
      let violation: Error | undefined;
      const record = (err: unknown): void => {
        violation ??= err instanceof Error ? err : new Error(String(err));
      };
      const startGet = (): void => {
        waiting++;
        queue.get().then((got) => {
          waiting--;
          try {
            if (got === undefined) assert.ok(stopped, 'get() resolved undefined before shutDown');
            else model.deliver(got);
          } catch (err) {
            record(err);
          }
        }, record);
      };
      const settle = async (): Promise<void> => {
        await flush();
        if (violation !== undefined) throw violation;
      };
      try {
        for (const step of ops) {
          switch (step.op) {
            case 'add':
              model.pending.add(step.key);
              queue.add(step.key, step.delayMs);
              break;
            case 'addRateLimited':
              model.pending.add(step.key);
              queue.addRateLimited(step.key);
              break;
            case 'forget':
              queue.forget(step.key);
              assert.equal(queue.failures(step.key), 0);
              break;
            case 'get':
              startGet();
              break;
            case 'done': {
              const inProcessing = [...model.processing];
              const doneKey = inProcessing[step.pick % Math.max(1, inProcessing.length)];
              if (doneKey === undefined) break;
              model.processing.delete(doneKey);
              queue.done(doneKey);
              break;
            }
            case 'tick':
              t.mock.timers.tick(step.ms);
              break;
          }
          await settle();
          assert.equal(queue.depth, model.pending.size, 'depth matches the model');
        }

        // Liveness: with workers that finish promptly, all pending work drains.
        const horizon = OPTIONS.maxBackoffMs + MAX_ADD_DELAY + 1;
        for (let round = 0; round < 50 && model.pending.size > 0; round++) {
          for (const k of [...model.processing]) {
            model.processing.delete(k);
            queue.done(k);
          }
          while (waiting < KEYS.length) startGet();
          t.mock.timers.tick(horizon);
          await settle();
        }
        assert.deepEqual([...model.pending], [], 'every added key was eventually delivered');
        assert.equal(queue.depth, 0);
      } finally {
        stopped = true;
        queue.shutDown();
      }
      await settle();
      assert.equal(waiting, 0, 'shutDown resolved every waiting get()');
    }),
    { numRuns: 200 },
  );
});

test('a debounced key is delivered exactly at max(previous, now+d) capped at window start + maxDelayMs', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const step = fc.record({
    gapMs: fc.integer({ min: 0, max: 3_000 }),
    delayMs: fc.integer({ min: 0, max: MAX_ADD_DELAY }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
      const queue = new WorkQueue(OPTIONS);
      const theKey = 'Deployment/ns/web';
      let got: string | undefined;
      let failure: unknown;
      const startGet = (): void => {
        got = undefined;
        queue.get().then(
          (k) => {
            got = k;
          },
          (err: unknown) => {
            failure = err;
          },
        );
      };
      /** The model's deadline while the key is held; undefined while it is not. */
      let deadline: number | undefined;
      let windowStart = 0;
      /** Advances time, checking the key appears exactly at its deadline and not a millisecond earlier. */
      const advance = async (ms: number): Promise<void> => {
        const target = Date.now() + ms;
        if (deadline !== undefined && deadline <= target) {
          if (deadline - 1 > Date.now()) {
            t.mock.timers.tick(deadline - 1 - Date.now());
            await flush();
          }
          assert.equal(got, undefined, 'not delivered before its deadline');
          t.mock.timers.tick(deadline - Date.now());
          await flush();
          assert.equal(got, theKey, 'delivered at its deadline');
          queue.done(theKey);
          deadline = undefined;
          startGet();
        }
        t.mock.timers.tick(target - Date.now());
        await flush();
      };
      try {
        startGet();
        for (const { gapMs, delayMs } of steps) {
          await advance(gapMs);
          const now = Date.now();
          if (deadline === undefined) {
            deadline = now + delayMs;
            windowStart = now;
          } else {
            deadline = Math.max(deadline, Math.min(now + delayMs, windowStart + OPTIONS.maxDelayMs));
          }
          queue.add(theKey, delayMs);
          await advance(0);
        }
        await advance(MAX_ADD_DELAY + OPTIONS.maxDelayMs);
        assert.equal(deadline, undefined);
        assert.equal(failure, undefined, 'get() never rejects');
      } finally {
        queue.shutDown();
        await flush();
      }
    }),
    { numRuns: 200 },
  );
});

test('ready keys come out in deadline order, ties by when each key got its deadline', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const step = fc.record({
    key: fc.constantFrom(...KEYS, 'Deployment/x/f', 'Deployment/x/g', 'Deployment/x/h'),
    delayMs: fc.integer({ min: 0, max: 6_000 }),
    gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_500 })),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
      const queue = new WorkQueue(OPTIONS);
      /** The model: each held key's deadline, debounce window start, and the order it got that deadline in. */
      const model = new Map<string, { deadline: number; windowStart: number; order: number }>();
      let order = 0;
      try {
        for (const { key: k, delayMs, gapMs } of steps) {
          t.mock.timers.tick(gapMs);
          const now = Date.now();
          const held = model.get(k);
          if (held === undefined) {
            model.set(k, { deadline: now + delayMs, windowStart: now, order: order++ });
          } else {
            const deadline = Math.max(held.deadline, Math.min(now + delayMs, held.windowStart + OPTIONS.maxDelayMs));
            if (deadline !== held.deadline) Object.assign(held, { deadline, order: order++ });
          }
          queue.add(k, delayMs);
        }
        assert.equal(queue.depth, model.size);
        t.mock.timers.tick(6_001);
        const delivered: (string | undefined)[] = [];
        for (let i = 0; i < model.size; i++) {
          let got: string | undefined;
          queue.get().then(
            (k) => {
              got = k;
            },
            () => undefined,
          );
          await flush();
          assert.notEqual(got, undefined, 'every held key is ready');
          delivered.push(got);
        }
        const expected = [...model.entries()]
          .sort(([, a], [, b]) => a.deadline - b.deadline || a.order - b.order)
          .map(([k]) => k);
        assert.deepEqual(delivered, expected);
        assert.equal(queue.depth, 0);
      } finally {
        queue.shutDown();
      }
    }),
    { numRuns: 300 },
  );
});
