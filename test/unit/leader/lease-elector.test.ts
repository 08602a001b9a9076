import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { ApiError } from '../../../src/kube/api-error.ts';
import { LeaseElector, type Clock } from '../../../src/leader/lease-elector.ts';
import type { LeaseRecord, LeaseStore, StoredLease } from '../../../src/leader/lease-store.ts';
import { createLogger } from '../../../src/logger.ts';

const logger = createLogger('json', 'error', { write: () => undefined });
const TIMINGS = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 };

/** Time moves only when the elector sleeps, so every test is exact and instant. */
class FakeClock implements Clock {
  at = 1_000_000;
  now(): number {
    return this.at;
  }
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.at += ms;
    await yieldToEvents();
  }
}

/** One Lease, with the API server's optimistic concurrency: an update must name the version it read. */
class MemoryLeaseStore implements LeaseStore {
  lease: StoredLease | undefined;
  failing = false;
  /** Called on every read, before it answers: lets a test play another replica. */
  beforeGet: (() => void) | undefined;
  #version = 0;

  put(record: LeaseRecord): StoredLease {
    this.lease = { record, resourceVersion: String(++this.#version) };
    return this.lease;
  }
  async get(): Promise<StoredLease | undefined> {
    await yieldToEvents();
    if (this.failing)
      throw new ApiError({ method: 'GET', path: '/lease', statusCode: 0, detail: 'connection refused' });
    this.beforeGet?.();
    return this.lease;
  }
  async create(record: LeaseRecord): Promise<StoredLease> {
    await yieldToEvents();
    if (this.lease !== undefined)
      throw new ApiError({ method: 'POST', path: '/lease', statusCode: 409, reason: 'AlreadyExists' });
    return this.put(record);
  }
  async update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease> {
    await yieldToEvents();
    if (this.failing)
      throw new ApiError({ method: 'PUT', path: '/lease', statusCode: 0, detail: 'connection refused' });
    if (this.lease?.resourceVersion !== resourceVersion)
      throw new ApiError({ method: 'PUT', path: '/lease', statusCode: 409, reason: 'Conflict' });
    return this.put(record);
  }
}

interface Run {
  readonly elector: LeaseElector;
  readonly stop: AbortController;
  readonly done: Promise<void>;
  /** Resolves with the clock time leadership started, and the signal it got. */
  readonly led: Promise<{ at: number; held: AbortSignal }>;
  stoppedAt: number | undefined;
}

function campaign(store: LeaseStore, clock: FakeClock, identity: string): Run {
  const elector = new LeaseElector({ store, identity, ...TIMINGS, logger, clock });
  const stop = new AbortController();
  let started!: (value: { at: number; held: AbortSignal }) => void;
  const led = new Promise<{ at: number; held: AbortSignal }>((resolve) => {
    started = resolve;
  });
  const run: Run = {
    elector,
    stop,
    led,
    stoppedAt: undefined,
    done: elector.run(stop.signal, {
      startedLeading: (held) => {
        started({ at: clock.now(), held });
      },
      stoppedLeading: () => {
        run.stoppedAt = clock.now();
      },
    }),
  };
  return run;
}

/** Lets the elector run until the clock reaches `at`; fails rather than hangs if it stopped first. */
async function runUntil(clock: FakeClock, at: number, run: Run): Promise<void> {
  while (clock.now() < at) {
    assert.equal(run.stoppedAt, undefined, `the elector stopped at ${run.stoppedAt ?? 0}, before ${at}`);
    await yieldToEvents();
  }
}

function record(holder: string | undefined, renewTime: string, transitions = 0): LeaseRecord {
  return {
    holderIdentity: holder,
    leaseDurationSeconds: 4,
    acquireTime: renewTime,
    renewTime,
    leaseTransitions: transitions,
  };
}

test('creates the Lease when there is none and leads, with MicroTime stamps and the lease duration in seconds', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const run = campaign(store, clock, 'replica-a');
  const { held } = await run.led;
  assert.equal(held.aborted, false);
  const lease = store.lease?.record;
  assert.equal(lease?.holderIdentity, 'replica-a');
  assert.equal(lease.leaseDurationSeconds, 4);
  assert.equal(lease.leaseTransitions, 0);
  assert.match(lease.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  run.stop.abort();
  await run.done;
  assert.equal(held.aborted, false, 'a stop is not a loss: in-flight writes may finish');
});

test('keeps renewing while it leads, and keeps its acquire time', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const run = campaign(store, clock, 'replica-a');
  await run.led;
  const acquired = store.lease?.record.acquireTime;
  const firstRenew = store.lease?.record.renewTime;
  await runUntil(clock, 1_000_000 + 20_000, run);
  assert.notEqual(store.lease?.record.renewTime, firstRenew);
  assert.equal(store.lease?.record.acquireTime, acquired);
  assert.equal(store.lease?.record.holderIdentity, 'replica-a');
  assert.equal(run.stoppedAt, undefined);
  run.stop.abort();
  await run.done;
});

test('a follower waits while the holder renews, and takes over one lease duration after the last renewal it saw', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  store.put(record('replica-a', '2026-01-01T00:00:00.000000Z'));
  let holderAlive = true;
  let lastRenewal = clock.now();
  store.beforeGet = () => {
    if (!holderAlive) return;
    store.put(record('replica-a', new Date(clock.now()).toISOString()));
    lastRenewal = clock.now();
  };
  const run = campaign(store, clock, 'replica-b');
  await runUntil(clock, 1_000_000 + 30_000, run);
  assert.equal(store.lease?.record.holderIdentity, 'replica-a', 'a renewed Lease is never taken');
  holderAlive = false;
  const { at } = await run.led;
  assert.ok(at - lastRenewal >= TIMINGS.leaseDurationMs, `took over ${at - lastRenewal} ms after the last renewal`);
  assert.ok(at - lastRenewal <= TIMINGS.leaseDurationMs + 2 * TIMINGS.retryPeriodMs);
  assert.equal(store.lease.record.holderIdentity, 'replica-b');
  assert.equal(store.lease.record.leaseTransitions, 1);
  run.stop.abort();
  await run.done;
});

test('a released Lease (no holder) is taken at once', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  store.put(record(undefined, new Date(clock.now()).toISOString()));
  const start = clock.now();
  const run = campaign(store, clock, 'replica-b');
  const { at } = await run.led;
  assert.equal(at, start);
  run.stop.abort();
  await run.done;
});

test('a leader that sees another holder steps down on its next renewal', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const run = campaign(store, clock, 'replica-a');
  const { held } = await run.led;
  const takenAt = clock.now();
  store.put(record('intruder', new Date(clock.now()).toISOString()));
  await run.done;
  assert.equal(held.aborted, true);
  assert.ok(run.stoppedAt !== undefined && run.stoppedAt - takenAt <= TIMINGS.retryPeriodMs);
  assert.equal(store.lease?.record.holderIdentity, 'intruder', 'it does not fight for the Lease');
});

test('a leader rides out renew failures shorter than the renew deadline, and steps down once they last that long', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const run = campaign(store, clock, 'replica-a');
  const { held } = await run.led;
  store.failing = true;
  const outageStart = clock.now();
  await runUntil(clock, outageStart + TIMINGS.renewDeadlineMs - 2 * TIMINGS.retryPeriodMs, run);
  store.failing = false;
  await runUntil(clock, outageStart + 3 * TIMINGS.renewDeadlineMs, run);
  assert.equal(held.aborted, false, 'a short outage is ridden out');

  store.failing = true;
  const secondOutage = clock.now();
  await run.done;
  assert.equal(held.aborted, true);
  assert.ok(run.stoppedAt !== undefined);
  assert.ok(
    run.stoppedAt - secondOutage >= TIMINGS.renewDeadlineMs - TIMINGS.retryPeriodMs,
    'not before the renew deadline',
  );
  assert.ok(run.stoppedAt - secondOutage < TIMINGS.leaseDurationMs, 'before anyone else may take the Lease');
});

test('two replicas racing for a new Lease: exactly one leads', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const a = campaign(store, clock, 'replica-a');
  const b = campaign(store, clock, 'replica-b');
  const winner = await Promise.race([a.led.then(() => 'replica-a'), b.led.then(() => 'replica-b')]);
  for (let i = 0; i < 50; i++) await yieldToEvents();
  assert.equal(store.lease?.record.holderIdentity, winner);
  const loser = winner === 'replica-a' ? b : a;
  let loserLed = false;
  void loser.led.then(() => {
    loserLed = true;
  });
  for (let i = 0; i < 50; i++) await yieldToEvents();
  assert.equal(loserLed, false);
  a.stop.abort();
  b.stop.abort();
  await Promise.all([a.done, b.done]);
});

test('release hands the Lease over: no holder, a one-second duration; a Lease held by another is left alone', async () => {
  const store = new MemoryLeaseStore();
  const clock = new FakeClock();
  const run = campaign(store, clock, 'replica-a');
  await run.led;
  run.stop.abort();
  await run.done;
  await run.elector.release();
  assert.equal(store.lease?.record.holderIdentity, undefined);
  assert.equal(store.lease?.record.leaseDurationSeconds, 1);

  const other = campaign(store, clock, 'replica-b');
  await other.led;
  await run.elector.release();
  assert.equal(store.lease.record.holderIdentity, 'replica-b', "releasing twice does not touch the new holder's Lease");
  other.stop.abort();
  await other.done;
});
