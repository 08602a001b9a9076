import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaderRun, type LeaderDuties, type Leadership } from '../../../src/controller/leadership.ts';
import { untilAborted } from '../../../src/controller/until-aborted.ts';
import { createLogger } from '../../../src/logger.ts';

const logger = createLogger('json', 'error', { write: () => undefined });

/** Leader election driven by the test: `acquire` and `lose` call the run's callbacks. */
class FakeLeadership implements Leadership {
  readonly log: string[] = [];
  #callbacks: { startedLeading(leadership: AbortSignal): void; stoppedLeading(): void } | undefined;
  #held: AbortController | undefined;

  run(signal: AbortSignal, callbacks: { startedLeading(l: AbortSignal): void; stoppedLeading(): void }): Promise<void> {
    this.#callbacks = callbacks;
    return untilAborted(signal);
  }

  acquire(): void {
    assert.ok(this.#callbacks, 'run() was called');
    this.#held = new AbortController();
    this.#callbacks.startedLeading(this.#held.signal);
  }

  lose(): void {
    assert.ok(this.#callbacks && this.#held);
    this.#held.abort();
    this.#callbacks.stoppedLeading();
  }

  release(): Promise<void> {
    this.log.push('released');
    return Promise.resolve();
  }
}

/** Duties that note what happens: the work runs until its stop signal aborts, then drains (one more turn). */
function duties(log: string[]): LeaderDuties & { readonly working: Promise<AbortSignal> } {
  let started: (writes: AbortSignal) => void = () => undefined;
  const working = new Promise<AbortSignal>((resolve) => {
    started = resolve;
  });
  return {
    working,
    watch: (running) => ({ synced: Promise.resolve(), stopped: untilAborted(running) }),
    work: async (stop, writes) => {
      log.push('work started');
      started(writes);
      await untilAborted(stop);
      await Promise.resolve();
      log.push(writes.aborted ? 'drained, writes aborted' : 'drained');
    },
  };
}

function metrics(): { readonly leader: boolean[]; setLeader(leading: boolean): void } {
  const leader: boolean[] = [];
  return {
    leader,
    setLeader: (leading) => {
      leader.push(leading);
    },
  };
}

test('work starts when the lead is acquired, and a shutdown lets it finish its writes', async () => {
  const leadership = new FakeLeadership();
  const d = duties(leadership.log);
  const m = metrics();
  const shutdown = new AbortController();
  const run = new LeaderRun(leadership, d, logger, m);
  const done = run.run(shutdown.signal);
  leadership.acquire();
  const writes = await d.working;
  shutdown.abort();
  await done;
  assert.equal(writes.aborted, false);
  assert.deepEqual(leadership.log, ['work started', 'drained', 'released']);
  assert.deepEqual(m.leader, [false, true]);
  assert.equal(run.lost, false);
});

test('losing the lead aborts the writes, drains the work and ends the run as lost', async () => {
  const leadership = new FakeLeadership();
  const d = duties(leadership.log);
  const m = metrics();
  const run = new LeaderRun(leadership, d, logger, m);
  const done = run.run(new AbortController().signal);
  leadership.acquire();
  const writes = await d.working;
  leadership.lose();
  await done;
  assert.equal(writes.aborted, true);
  assert.deepEqual(leadership.log, ['work started', 'drained, writes aborted', 'released']);
  assert.deepEqual(m.leader, [false, true, false]);
  assert.equal(run.lost, true);
});

test('a follower syncs its caches but does no work', async () => {
  const leadership = new FakeLeadership();
  const watched: string[] = [];
  const m = metrics();
  const shutdown = new AbortController();
  const run = new LeaderRun(
    leadership,
    {
      watch: (running) => {
        watched.push('watching');
        return {
          synced: Promise.resolve().then(() => {
            watched.push('synced');
            shutdown.abort();
          }),
          stopped: untilAborted(running),
        };
      },
      work: () => {
        assert.fail('a follower must not work');
      },
    },
    logger,
    m,
  );
  await run.run(shutdown.signal);
  assert.deepEqual(watched, ['watching', 'synced']);
  assert.deepEqual(leadership.log, ['released']);
  assert.deepEqual(m.leader, [false]);
  assert.equal(run.lost, false);
});
