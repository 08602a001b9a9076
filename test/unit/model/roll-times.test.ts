import assert from 'node:assert/strict';
import test from 'node:test';
import {
  formatRollTimes,
  lastRoll,
  parseRollTimes,
  ROLL_TIMES_KEPT,
  withRollAt,
} from '../../../src/model/roll-times.ts';

test('roll times read back what was written, in epoch seconds, oldest first', () => {
  const times = [1764633600000, 1764633900000];
  assert.equal(formatRollTimes(times), '1764633600,1764633900');
  assert.deepEqual(parseRollTimes('1764633900, 1764633600'), times);
  assert.equal(lastRoll(times), 1764633900000);
  assert.equal(lastRoll([]), undefined);
});

test('a value written by hand is read for what is a time in it, and an absent or overlong one as no rolls', () => {
  assert.deepEqual(parseRollTimes(undefined), []);
  assert.deepEqual(parseRollTimes(''), []);
  assert.deepEqual(parseRollTimes('soon,1764633600,-5,1.5,99999999999999'), [1764633600000]);
  assert.deepEqual(parseRollTimes('1,'.repeat(1000)), []);
});

test('a roll adds its time and keeps only the newest, dropping times after it (a clock set back)', () => {
  const many = Array.from({ length: ROLL_TIMES_KEPT }, (_, i) => i * 1000);
  const after = withRollAt(many, 100_000);
  assert.equal(after.length, ROLL_TIMES_KEPT);
  assert.equal(after[0], 1000);
  assert.equal(after.at(-1), 100_000);
  assert.deepEqual(withRollAt([5000, 9000], 6000), [5000, 6000]);
  assert.deepEqual(
    parseRollTimes(formatRollTimes(Array.from({ length: 40 }, (_, i) => i * 1000))).length,
    ROLL_TIMES_KEPT,
  );
});
