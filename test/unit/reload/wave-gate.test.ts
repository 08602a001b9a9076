import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceKey } from '../../../src/model/config-id.ts';
import { workloadKey } from '../../../src/model/workload-key.ts';
import {
  formatHaltMark,
  parseHaltMark,
  waveGate,
  waveOrder,
  waves,
  type Follower,
  type WavePlan,
} from '../../../src/reload/wave-gate.ts';
import type { WorkloadHealth } from '../../../src/workload/workload-health.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const MINUTE = 60_000;
const CONFIG = referenceKey('ConfigMap', 'app');
const PLAN: WavePlan = {
  config: CONFIG,
  ends: [{ count: 1 }, { percent: 50 }, { percent: 100 }],
  timeoutMs: 10 * MINUTE,
  data: 'd1',
  resume: '-',
};
const HEALTHY: WorkloadHealth = { state: 'healthy', detail: 'rollout complete' };
const PROGRESSING: WorkloadHealth = { state: 'progressing', detail: '0 of 1 replicas available' };
const FAILED: WorkloadHealth = { state: 'failed', detail: 'ProgressDeadlineExceeded' };

function follower(name: string, more: Partial<Follower> = {}): Follower {
  return {
    key: workloadKey('Deployment', 'ns', name),
    namespace: 'ns',
    kind: 'Deployment',
    name,
    canary: false,
    done: false,
    health: HEALTHY,
    rolledAt: [],
    halted: undefined,
    ...more,
  };
}

/** A canary and five others: waves [canary], [a, b], [c, d, e]. */
function fleet(canary: Partial<Follower> = {}, others: Partial<Follower> = {}): Follower[] {
  return [
    follower('e', others),
    follower('a', others),
    follower('canary', { canary: true, ...canary }),
    follower('d', others),
    follower('b', others),
    follower('c', others),
  ];
}

const key = (name: string): ReturnType<typeof workloadKey> => workloadKey('Deployment', 'ns', name);

test('canaries come first, then the rest by namespace, kind and name', () => {
  const order = waveOrder([
    follower('b'),
    { ...follower('a'), kind: 'StatefulSet' },
    follower('z', { canary: true }),
    { ...follower('a'), namespace: 'aa' },
  ]).map((f) => `${f.namespace}/${f.kind}/${f.name}`);
  assert.deepEqual(order, ['ns/Deployment/z', 'aa/Deployment/a', 'ns/Deployment/b', 'ns/StatefulSet/a']);
  assert.deepEqual(
    waves(fleet(), PLAN.ends).map((w) => w.map((f) => f.name)),
    [['canary'], ['a', 'b'], ['c', 'd', 'e']],
  );
});

test('the first wave is open; a later wave waits until the one before is rolled and healthy', () => {
  assert.deepEqual(waveGate(key('canary'), fleet(), PLAN, NOW), { kind: 'open', wave: 1, of: 3 });
  assert.deepEqual(waveGate(key('a'), fleet(), PLAN, NOW), {
    kind: 'wait',
    wave: 2,
    of: 3,
    waitsOn: 1,
    pending: ['Deployment/canary: not rolled yet'],
    until: undefined,
  });
  const rolling = fleet({ done: true, health: PROGRESSING, rolledAt: [NOW - MINUTE] });
  assert.deepEqual(waveGate(key('a'), rolling, PLAN, NOW), {
    kind: 'wait',
    wave: 2,
    of: 3,
    waitsOn: 1,
    pending: ['Deployment/canary: 0 of 1 replicas available'],
    until: NOW - MINUTE + 10 * MINUTE,
  });
  const healthy = fleet({ done: true, rolledAt: [NOW - MINUTE] });
  assert.deepEqual(waveGate(key('a'), healthy, PLAN, NOW), { kind: 'open', wave: 2, of: 3 });
  const third = waveGate(key('e'), healthy, PLAN, NOW);
  assert.ok(third.kind === 'wait');
  assert.equal(third.waitsOn, 2);
});

test('a wave with a failed workload halts the plan for every later wave', () => {
  const failing = fleet({ done: true, health: FAILED, rolledAt: [NOW - MINUTE] });
  for (const name of ['a', 'e']) {
    const gate = waveGate(key(name), failing, PLAN, NOW);
    assert.ok(gate.kind === 'halted');
    assert.equal(gate.failedWave, 1);
    assert.deepEqual(gate.failed, ['Deployment/canary: ProgressDeadlineExceeded']);
    assert.equal(gate.mark, 'ConfigMap/app@d1;1;-');
    assert.equal(gate.marked, false);
  }
});

test('a wave not healthy within the timeout from its last roll halts the plan', () => {
  const slow = fleet({ done: true, health: PROGRESSING, rolledAt: [NOW - 10 * MINUTE] });
  const gate = waveGate(key('b'), slow, PLAN, NOW);
  assert.ok(gate.kind === 'halted');
  assert.deepEqual(gate.failed, ['Deployment/canary: 0 of 1 replicas available, 600s after the wave rolled']);
});

test('a halt is sticky: the marked workload stays halted after the failed wave recovers', () => {
  const mark = formatHaltMark({ config: CONFIG, data: 'd1', wave: 1, resume: '-' });
  const recovered = fleet({ done: true, rolledAt: [NOW - MINUTE] }, { halted: mark });
  const gate = waveGate(key('a'), recovered, PLAN, NOW);
  assert.ok(gate.kind === 'halted');
  assert.equal(gate.marked, true);
  assert.equal(gate.failedWave, 1);
});

test('a new resume value continues past the failed wave; the waves after it are gated as before', () => {
  const mark = formatHaltMark({ config: CONFIG, data: 'd1', wave: 1, resume: '-' });
  const stillFailing = fleet({ done: true, health: FAILED, rolledAt: [NOW - MINUTE] }, { halted: mark });
  const resumed = { ...PLAN, resume: 'r2' };
  assert.deepEqual(waveGate(key('a'), stillFailing, resumed, NOW), { kind: 'open', wave: 2, of: 3 });
  const third = waveGate(key('c'), stillFailing, resumed, NOW);
  assert.ok(third.kind === 'wait');
  assert.equal(third.waitsOn, 2);
});

test('new data is a new plan: an old mark is ignored and the plan starts again from the first wave', () => {
  const mark = formatHaltMark({ config: CONFIG, data: 'd0', wave: 1, resume: '-' });
  const fresh = fleet({}, { halted: mark });
  assert.deepEqual(waveGate(key('canary'), fresh, PLAN, NOW), { kind: 'open', wave: 1, of: 3 });
  assert.equal(waveGate(key('a'), fresh, PLAN, NOW).kind, 'wait');
});

test('halt marks read back what they wrote, and anything else holds nothing', () => {
  const mark = { config: CONFIG, data: 'abc', wave: 3, resume: 'f00' };
  assert.deepEqual(parseHaltMark(formatHaltMark(mark)), mark);
  for (const bad of ['', 'x', 'ConfigMap/app@d;1', 'ConfigMap/app@d;x;r', 'Pod/p@d;1;r', 'ConfigMap/app@d;1;r;z'])
    assert.equal(parseHaltMark(bad), undefined, bad);
  assert.equal(parseHaltMark(`ConfigMap/${'a'.repeat(600)}@d;1;r`), undefined);
});
