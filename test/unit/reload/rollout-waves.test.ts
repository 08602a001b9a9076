import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_WAVES, parseRolloutWaves, waveEnds } from '../../../src/reload/rollout-waves.ts';

test('a plan is a comma list of cumulative counts and percentages', () => {
  assert.deepEqual(parseRolloutWaves('1, 10%,50% ,100%'), {
    ok: true,
    ends: [{ count: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
  });
});

test('a bad entry, an empty value, a zero, a share above 100% or too many waves is an error naming it', () => {
  for (const [text, error] of [
    ['', '"" is no count or percentage'],
    ['1,,2', '"" is no count or percentage'],
    ['1,x', '"x" is no count or percentage'],
    ['0', '"0" is not between 1 and 1000000'],
    ['150%', '"150%" is not between 1% and 100%'],
    ['-1', '"-1" is no count or percentage'],
    ['2.5%', '"2.5%" is no count or percentage'],
    [Array.from({ length: MAX_WAVES + 1 }, (_, i) => String(i + 1)).join(','), `more than ${MAX_WAVES} waves`],
    ['1,'.repeat(200), 'longer than 256 characters'],
  ] as const)
    assert.deepEqual(parseRolloutWaves(text), { ok: false, error }, text);
});

test('percentages are of all followers, rounded up; what the plan leaves over forms a final wave', () => {
  const parsed = parseRolloutWaves('1,10%,50%');
  assert.ok(parsed.ok);
  assert.deepEqual(waveEnds(parsed.ends, 6, 0), [1, 3, 6]);
  assert.deepEqual(waveEnds(parsed.ends, 300, 0), [1, 30, 150, 300]);
});

test('ends that add nobody add no wave, and counts beyond the followers stop at them', () => {
  const parsed = parseRolloutWaves('1,10%,50%,100%');
  assert.ok(parsed.ok);
  assert.deepEqual(waveEnds(parsed.ends, 2, 0), [1, 2]);
  assert.deepEqual(waveEnds([{ count: 5 }, { count: 3 }, { count: 50 }], 10, 0), [5, 10]);
  assert.deepEqual(waveEnds(parsed.ends, 0, 0), []);
});

test('the canaries form the first wave whatever the first entry says', () => {
  const parsed = parseRolloutWaves('1,50%,100%');
  assert.ok(parsed.ok);
  assert.deepEqual(waveEnds(parsed.ends, 6, 1), [1, 3, 6]);
  assert.deepEqual(waveEnds(parsed.ends, 6, 2), [2, 3, 6]);
  assert.deepEqual(waveEnds(parsed.ends, 6, 4), [4, 6]);
});
