import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigCache } from '../../../src/config/config-cache.ts';
import { recordAnnotation } from '../../../src/controller/controller-settings.ts';
import { createLogger } from '../../../src/logger.ts';
import { formatRecord } from '../../../src/model/config-record.ts';
import { formatRollTimes } from '../../../src/model/roll-times.ts';
import { workloadKey } from '../../../src/model/workload-key.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { Reconciler, type ReconcilerSettings } from '../../../src/reload/reconciler.ts';
import type { HaltNotice } from '../../../src/reload/wave-halts.ts';
import { controllerSettings } from '../../../src/run-settings.ts';
import { WorkloadCache } from '../../../src/workload/workload-cache.ts';

const defaults = controllerSettings(parseRunOptions([], {}));
const A = defaults.reconcile.annotations;
const RECORD = recordAnnotation(defaults.reconcile.hashAnnotation);
const NAMES = ['canary', 'a', 'b', 'c', 'd', 'e'];
type Status = 'healthy' | 'pending' | 'failed';

const STATUS: Readonly<Record<Status, object>> = {
  healthy: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
  pending: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 },
  failed: {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    availableReplicas: 0,
    conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
  },
};

/**
 * A canary and five other Deployments that follow ConfigMap/cm, with a fake
 * API: each write lands on the stored object, which goes back through the
 * workload cache as a watch would bring it.
 */
function fleet() {
  let now = Date.parse('2026-12-01T10:00:00Z');
  let settings: ReconcilerSettings = defaults.reconcile;
  const events: string[] = [];
  const writes: string[] = [];
  const halts: HaltNotice[] = [];
  let haltCount = 0;
  const configAnnotations: Record<string, string> = { [A.rolloutWaves]: '1,50%,100%', [A.waveTimeout]: '1m' };
  let data: Record<string, string> = { a: '1' };
  const stored = new Map<string, { annotations: Record<string, string>; status: Status }>();
  const configs = new ConfigCache({
    enabledLabel: defaults.enabledLabel,
    ignoreAnnotation: A.ignore,
    matchAnnotation: A.match,
    waveAnnotations: A,
    onChange: () => undefined,
    onInvalid: () => undefined,
  });
  const workloads = new WorkloadCache({ annotations: A, recordAnnotation: RECORD, onChange: () => undefined });
  const putConfig = (): void => {
    configs.handlers('ConfigMap').upsert({
      metadata: { name: 'cm', namespace: 'ns', uid: 'uid-cm', annotations: { ...configAnnotations } },
      data,
    });
  };
  const put = (name: string): void => {
    const w = stored.get(name);
    if (w === undefined) return;
    workloads.handlers('Deployment').upsert({
      metadata: {
        name,
        namespace: 'ns',
        uid: `u-${name}`,
        generation: 1,
        resourceVersion: '1',
        annotations: w.annotations,
      },
      spec: {
        replicas: 1,
        template: { spec: { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'cm' } }] }] } },
      },
      status: STATUS[w.status],
    });
  };
  /** A roll starts a rollout that the test lets finish (or fail). */
  const write = (name: string, op: string, annotations: Record<string, string>): Promise<void> => {
    writes.push(`${op} ${name}`);
    const w = stored.get(name);
    if (w !== undefined) Object.assign(w.annotations, annotations);
    if (w !== undefined && op === 'roll') w.status = 'pending';
    put(name);
    return Promise.resolve();
  };
  const reconciler = (): Reconciler =>
    new Reconciler({
      workloads,
      configs,
      settings,
      now: () => now,
      logger: createLogger('json', 'error', { write: () => undefined }),
      rollLimiter: { take: () => Promise.resolve() },
      adoptionLimiter: { take: () => Promise.resolve() },
      events: {
        record: (s, type, reason, message) => {
          events.push(`${type} ${reason} ${s.kind}/${s.name}: ${message}`);
        },
      },
      writer: {
        record: (w, record) => write(w.name, 'record', { [RECORD]: formatRecord(record) }),
        roll: async (w, roll) => {
          await write(w.name, 'roll', {
            [RECORD]: formatRecord(roll.record),
            [A.rolledAt]: formatRollTimes(roll.rolledAt),
          });
          return {};
        },
        annotate: (w, annotations) => write(w.name, 'annotate', { ...annotations }),
        resume: () => Promise.resolve(),
        finishPending: () => Promise.resolve(false),
      },
      halted: (notice) => halts.push(notice),
      countHalt: () => {
        haltCount++;
      },
    });
  putConfig();
  for (const name of NAMES) {
    stored.set(name, {
      annotations: { [A.auto]: 'true', ...(name === 'canary' ? { [A.canary]: 'true' } : {}) },
      status: 'healthy',
    });
    put(name);
  }
  let current = reconciler();
  return {
    events,
    writes,
    halts,
    haltCount: () => haltCount,
    /** Reconciles every workload once; the outcomes by name. */
    async pass(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const name of NAMES) out[name] = (await current.reconcile(workloadKey('Deployment', 'ns', name))).outcome;
      return out;
    },
    change(next: Record<string, string>): void {
      data = next;
      putConfig();
    },
    annotateConfig(name: string, value: string): void {
      configAnnotations[name] = value;
      putConfig();
    },
    status(status: Status, ...names: string[]): void {
      for (const name of names) {
        const w = stored.get(name);
        if (w !== undefined) w.status = status;
        put(name);
      }
    },
    advance(ms: number): void {
      now += ms;
    },
    /** A new controller over the same cluster, run with `overrides`. */
    restart(overrides: Partial<ReconcilerSettings> = {}): void {
      settings = { ...defaults.reconcile, ...overrides };
      current = reconciler();
    },
    rolled: (): string[] => writes.filter((w) => w.startsWith('roll ')).map((w) => w.slice(5)),
  };
}

/** The outcomes of a pass at the start of a plan: the canary rolls, the rest wait. */
const FIRST_WAVE_ONLY = { canary: 'rolled', a: 'waiting', b: 'waiting', c: 'waiting', d: 'waiting', e: 'waiting' };

test('a change rolls the canary first; the next wave waits for it to become healthy, then the last for the second', async () => {
  const f = fleet();
  await f.pass();
  f.change({ a: '2' });
  assert.deepEqual(await f.pass(), FIRST_WAVE_ONLY);
  assert.ok(f.events.some((e) => e.startsWith('Normal ReloadHeld Deployment/a:') && e.includes('wave 2 of 3')));
  f.status('healthy', 'canary');
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary', 'a', 'b']);
  f.status('healthy', 'b');
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary', 'a', 'b'], 'wave 3 waits while a is not available');
  f.status('healthy', 'a');
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary', 'a', 'b', 'c', 'd', 'e']);
  await f.pass();
  assert.equal(f.rolled().length, 6, 'each rolled once');
});

test('a failing canary halts the plan: the rest are marked and held, with Events, one alert and one count', async () => {
  const f = fleet();
  await f.pass();
  f.change({ a: '2' });
  await f.pass();
  f.status('failed', 'canary');
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary']);
  assert.deepEqual(
    f.writes.filter((w) => w.startsWith('annotate')),
    ['annotate a', 'annotate b', 'annotate c', 'annotate d', 'annotate e'],
  );
  const halted = f.events.filter((e) => e.startsWith('Warning ReloadHalted'));
  assert.equal(halted.length, 6, 'one per held workload and one on the config');
  assert.ok(halted.some((e) => e.startsWith('Warning ReloadHalted ConfigMap/cm:') && e.includes('Deployment/canary')));
  assert.equal(f.halts.length, 1);
  assert.equal(f.haltCount(), 1);

  f.status('healthy', 'canary');
  f.restart();
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary'], 'the halt is sticky, also across a restart');
  assert.equal(f.halts.length, 1, 'and is announced once');

  f.annotateConfig(A.resume, '1');
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary', 'a', 'b'], 'resume continues with the next wave');
  f.restart();
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary', 'a', 'b'], 'the next waits for it, also after a restart');
  f.status('healthy', 'a', 'b');
  await f.pass();
  assert.deepEqual(f.rolled(), ['canary', 'a', 'b', 'c', 'd', 'e']);
});

test('a wave not healthy within the wave timeout halts the plan', async () => {
  const f = fleet();
  await f.pass();
  f.change({ a: '2' });
  await f.pass();
  f.advance(30_000);
  await f.pass();
  assert.equal(f.halts.length, 0);
  f.advance(30_000);
  await f.pass();
  assert.equal(f.halts.length, 1);
  assert.match(f.halts[0]?.text ?? '', /halted at wave 1 of 3: Deployment\/canary: 0 of 1 replicas available/);
});

test('new data after a halt is a new plan from the first wave', async () => {
  const f = fleet();
  await f.pass();
  f.change({ a: '2' });
  f.status('failed', 'canary');
  await f.pass();
  await f.pass();
  f.status('healthy', 'canary');
  f.change({ a: '3' });
  assert.deepEqual(await f.pass(), FIRST_WAVE_ONLY);
});

test('a dry run shows the whole plan as WouldReload Events naming the waves, and writes nothing', async () => {
  const f = fleet();
  await f.pass();
  f.writes.length = 0;
  f.restart({ dryRun: true });
  f.change({ a: '2' });
  assert.deepEqual(Object.values(await f.pass()), Array(6).fill('dry_run'));
  const would = f.events.filter((e) => e.startsWith('Normal WouldReload'));
  assert.deepEqual(
    would.map((e) => /Deployment\/(\w+): dry run, would roll in (wave \d of 3)/.exec(e)?.slice(1, 3).join(' ')),
    ['canary wave 1 of 3', 'a wave 2 of 3', 'b wave 2 of 3', 'c wave 3 of 3', 'd wave 3 of 3', 'e wave 3 of 3'],
  );
  assert.deepEqual(f.writes, []);
});

test('a wave plan that does not parse is reported on the config, and the config rolls without waves', async () => {
  const f = fleet();
  f.annotateConfig(A.rolloutWaves, '1,lots');
  await f.pass();
  f.change({ a: '2' });
  assert.deepEqual(Object.values(await f.pass()), Array(6).fill('rolled'));
  const invalid = f.events.filter((e) => e.startsWith('Warning InvalidAnnotation ConfigMap/cm'));
  assert.equal(invalid.length, 1);
  assert.match(invalid[0] ?? '', /mini-reloader\.pelabs\/rollout-waves/);
});
