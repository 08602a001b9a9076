import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Backoff } from '../../../src/queue/backoff.ts';

/** A random source of 0.5 puts the jitter factor at exactly 1. */
const noJitter = (): number => 0.5;

test('the first retry waits the base delay, and each further failure doubles it up to the cap', () => {
  const backoff = new Backoff(500, 5_000, noJitter);
  const delays = Array.from({ length: 7 }, () => backoff.next('k'));
  assert.deepEqual(delays, [500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  assert.equal(backoff.failures('k'), 7);
});

test('failures are counted per key', () => {
  const backoff = new Backoff(100, 10_000, noJitter);
  backoff.next('a');
  backoff.next('a');
  assert.equal(backoff.next('b'), 100);
  assert.equal(backoff.failures('a'), 2);
  assert.equal(backoff.failures('b'), 1);
  assert.equal(backoff.failures('never'), 0);
});

test('forget starts the key over from the base delay', () => {
  const backoff = new Backoff(100, 10_000, noJitter);
  backoff.next('a');
  backoff.next('a');
  backoff.forget('a');
  assert.equal(backoff.failures('a'), 0);
  assert.equal(backoff.next('a'), 100);
});

test('a very long failure streak stays finite and capped', () => {
  const backoff = new Backoff(500, 300_000, noJitter);
  let last = 0;
  for (let i = 0; i < 2_000; i++) last = backoff.next('k');
  assert.equal(last, 300_000);
});

test('jitter stays within ±10% of the nominal delay and never beyond the cap', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.integer({ min: 0, max: 40 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (base, max, earlierFailures, random) => {
        const backoff = new Backoff(base, max, () => random);
        for (let i = 0; i < earlierFailures; i++) backoff.next('k');
        const delay = backoff.next('k');
        const nominal = Math.min(max, base * 2 ** earlierFailures);
        assert.ok(delay >= nominal * 0.9 - 1e-9, `${delay} below ${nominal} - 10%`);
        assert.ok(delay <= nominal * 1.1 + 1e-9, `${delay} above ${nominal} + 10%`);
        assert.ok(delay <= max, `${delay} above the cap ${max}`);
      },
    ),
  );
});
