import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationText, rollLoopHold, rollLoopMessage } from '../../../src/reload/roll-loop.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const limit = { maxRolls: 3, windowMs: 600_000 };
const ago = (s: number): number => NOW - s * 1000;

test('fewer than max rolls within the window: no hold', () => {
  assert.equal(rollLoopHold([ago(30), ago(20)], limit, NOW), undefined);
  assert.equal(rollLoopHold([], limit, NOW), undefined);
});

test('max rolls within the window: held until the window has passed since the last of them', () => {
  assert.deepEqual(rollLoopHold([ago(900), ago(300), ago(200), ago(100)], limit, NOW), {
    rolls: 3,
    until: ago(100) + 600_000,
  });
});

test('rolls older than the window do not count, so it rolls again once the window has passed since the last', () => {
  const times = [ago(900), ago(800), ago(700)];
  assert.equal(rollLoopHold(times, limit, NOW), undefined);
  assert.deepEqual(rollLoopHold(times, limit, ago(699)), { rolls: 3, until: ago(700) + 600_000 });
  assert.equal(rollLoopHold(times, limit, ago(700) + 600_000), undefined, 'exactly one window after the last roll');
});

test('roll times in the future (a hand-written annotation, a clock ahead) are not counted and cannot hold it for longer', () => {
  const future = NOW + 86_400_000;
  assert.equal(rollLoopHold([future, future + 1000, future + 2000], limit, NOW), undefined);
  assert.deepEqual(rollLoopHold([ago(20), ago(10), NOW, future], limit, NOW), { rolls: 3, until: NOW + 600_000 });
});

test('max rolls 0 turns the breaker off', () => {
  assert.equal(rollLoopHold([ago(3), ago(2), ago(1)], { maxRolls: 0, windowMs: 600_000 }, NOW), undefined);
});

test('the ReloadLoop message names each config that keeps changing with its last writer, and when it rolls', () => {
  const message = rollLoopMessage({ rolls: 5, windowMs: 600_000, until: NOW + 60_000 }, [
    { kind: 'ConfigMap', name: 'app', keys: { changed: ['LEVEL'], added: [], removed: [] }, manager: 'fighter-a' },
    { kind: 'Secret', name: 'db', owner: 'ExternalSecret/db' },
  ]);
  assert.equal(
    message,
    'held as a restart loop: rolled 5 times within 10m; ConfigMap/app: key LEVEL changed (by fighter-a); ' +
      'Secret/db changed (owned by ExternalSecret/db); it rolls once with the newest data at 2026-11-23T10:01:00.000Z',
  );
});

test('durations read as a flag spells them', () => {
  assert.equal(durationText(600_000), '10m');
  assert.equal(durationText(20_000), '20s');
  assert.equal(durationText(5_400_000), '1h30m');
  assert.equal(durationText(3_661_000), '1h1m1s');
});
