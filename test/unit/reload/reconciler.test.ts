import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ConfigCache } from '../../../src/config/config-cache.ts';
import { recordAnnotation } from '../../../src/controller/controller-settings.ts';
import { createLogger } from '../../../src/logger.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { referenceKey, type ConfigId } from '../../../src/model/config-id.ts';
import { formatRecord, parseRecord, type ConfigRecord } from '../../../src/model/config-record.ts';
import { formatRollTimes, type RollTimes } from '../../../src/model/roll-times.ts';
import { workloadKey } from '../../../src/model/workload-key.ts';
import { NamespaceHoldCache } from '../../../src/reload/namespace-holds.ts';
import { Reconciler, type ReconcilerSettings } from '../../../src/reload/reconciler.ts';
import type { RollNotice } from '../../../src/reload/roll-messages.ts';
import type { Roll } from '../../../src/reload/workload-writer.ts';
import { controllerSettings } from '../../../src/run-settings.ts';
import { WorkloadCache } from '../../../src/workload/workload-cache.ts';
import type { WorkloadKind } from '../../../src/model/workload-kind.ts';

/** The shipped defaults, so these tests exercise the annotation names users get. */
const defaults = controllerSettings(parseRunOptions([], {}));
const RECORD = recordAnnotation(defaults.reconcile.hashAnnotation);
const PAUSED_AT = defaults.reconcile.annotations.pausedAt;
const ROLLED_AT = defaults.reconcile.annotations.rolledAt;

interface Setup {
  readonly reconciler: Reconciler;
  /** What the writer was asked to do, in order. */
  readonly writes: { op: string; name: string; record?: ConfigRecord; roll?: Roll }[];
  readonly events: string[];
  readonly notices: RollNotice[];
  /** The reconciler's log lines, debug level and up. */
  readonly logs: { readonly msg: string; readonly [field: string]: unknown }[];
  /** Tokens taken from each limiter. */
  readonly takes: { roll: number; adoption: number };
  /** The abort signal each write and each token wait was given, in order. */
  readonly signals: (AbortSignal | undefined)[];
  /** The config as the API would return it; its uid defaults to one per name (`uid-<name>`). */
  putConfig(data: Record<string, string>, name?: string, uid?: string): void;
  removeConfig(name: string): void;
  /** Puts the workload as the API would return it after `writes` so far (its record annotation included). */
  putWorkload(options?: {
    envFrom?: unknown[];
    env?: unknown[];
    annotations?: Record<string, string>;
    kind?: WorkloadKind;
    ownedBy?: string;
  }): void;
  /** Puts Namespace `ns` with these annotations, as its watch would deliver it. */
  putNamespace(annotations: Record<string, string>): void;
  failWrites(err: Error | undefined): void;
  advance(ms: number): void;
  /** The record annotation the next putWorkload carries, as an earlier release may have left it. */
  seedRecord(text: string): void;
}

function setup(overrides: Partial<ReconcilerSettings> = {}, hooks: { webhook?: boolean } = {}): Setup {
  const settings: ReconcilerSettings = { ...defaults.reconcile, ...overrides };
  const writes: Setup['writes'] = [];
  const events: string[] = [];
  const notices: RollNotice[] = [];
  const logs: Setup['logs'] = [];
  const takes = { roll: 0, adoption: 0 };
  const signals: (AbortSignal | undefined)[] = [];
  let now = Date.parse('2026-11-23T10:00:00Z');
  let failure: Error | undefined;
  let stored: ConfigRecord | undefined;
  let pausedAt: string | undefined;
  let rolledAt: RollTimes = [];
  const configs = new ConfigCache({
    enabledLabel: defaults.enabledLabel,
    ignoreAnnotation: defaults.reconcile.annotations.ignore,
    matchAnnotation: defaults.reconcile.annotations.match,
    onChange: () => undefined,
    onInvalid: () => undefined,
  });
  const workloads = new WorkloadCache({
    annotations: settings.annotations,
    recordAnnotation: RECORD,
    onChange: () => undefined,
  });
  const write = (op: string, name: string, extra: { record?: ConfigRecord; roll?: Roll } = {}): Promise<void> => {
    if (failure !== undefined) return Promise.reject(failure);
    writes.push({ op, name, ...extra });
    return Promise.resolve();
  };
  const namespaces = new NamespaceHoldCache({
    annotations: settings.annotations,
    onChange: () => undefined,
    onInvalid: () => undefined,
  });
  const reconciler = new Reconciler({
    workloads,
    configs,
    namespaces,
    settings,
    now: () => now,
    logger: createLogger('json', 'debug', {
      write: (line: string) => {
        logs.push(JSON.parse(line) as Setup['logs'][number]);
      },
    }),
    rollLimiter: {
      take: (signal) => {
        takes.roll++;
        signals.push(signal);
        return Promise.resolve();
      },
    },
    adoptionLimiter: {
      take: (signal) => {
        takes.adoption++;
        signals.push(signal);
        return Promise.resolve();
      },
    },
    events: {
      record: (s, type, reason, message) => {
        events.push(`${type} ${reason} ${s.kind}/${s.name}: ${message}`);
      },
    },
    writer: {
      record: async (w, record, signal) => {
        signals.push(signal);
        await write('record', w.name, { record });
        stored = record;
      },
      roll: async (w, roll, signal) => {
        signals.push(signal);
        await write('roll', w.name, { record: roll.record, roll });
        stored = roll.record;
        pausedAt = roll.pausedAt;
        rolledAt = roll.rolledAt;
        return {};
      },
      resume: async (w, signal) => {
        signals.push(signal);
        await write('resume', w.name);
        pausedAt = undefined;
      },
      finishPending: () => Promise.resolve(false),
      annotate: (w) => write('annotate', w.name),
    },
    ...(hooks.webhook === true
      ? {
          webhook: (n: RollNotice) => {
            notices.push(n);
            return failure === undefined ? Promise.resolve() : Promise.reject(failure);
          },
        }
      : {
          rolled: (n: RollNotice) => {
            notices.push(n);
          },
        }),
  });
  let last: Parameters<Setup['putWorkload']>[0] = {};
  return {
    reconciler,
    writes,
    events,
    notices,
    logs,
    takes,
    signals,
    putConfig: (data, name = 'cm', uid = `uid-${name}`) => {
      configs.handlers('ConfigMap').upsert({ metadata: { name, namespace: 'ns', uid }, data });
    },
    removeConfig: (name) => {
      configs.handlers('ConfigMap').remove({ metadata: { name, namespace: 'ns' } });
    },
    putWorkload: (given) => {
      const options = given ?? last ?? {};
      last = options;
      const annotations: Record<string, string> = { [settings.annotations.auto]: 'true', ...options.annotations };
      if (stored !== undefined) annotations[RECORD] = formatRecord(stored);
      if (pausedAt !== undefined) annotations[PAUSED_AT] = pausedAt;
      if (rolledAt.length > 0) annotations[ROLLED_AT] = formatRollTimes(rolledAt);
      workloads.handlers(options.kind ?? 'Deployment').upsert({
        metadata: {
          name: 'web',
          namespace: 'ns',
          uid: 'u',
          resourceVersion: String(writes.length),
          annotations,
          ...(options.ownedBy === undefined
            ? {}
            : { ownerReferences: [{ kind: options.ownedBy, name: 'nightly', controller: true }] }),
        },
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'app', envFrom: options.envFrom ?? [{ configMapRef: { name: 'cm' } }], env: options.env ?? [] },
              ],
            },
          },
        },
      });
    },
    putNamespace: (annotations) => {
      namespaces.handlers().upsert({ metadata: { name: 'ns', uid: 'ns-uid', annotations } });
    },
    failWrites: (err) => {
      failure = err;
    },
    advance: (ms) => {
      now += ms;
    },
    seedRecord: (text) => {
      stored = parseRecord(text);
    },
  };
}

const KEY = workloadKey('Deployment', 'ns', 'web');
const CM = referenceKey('ConfigMap', 'cm');

async function outcome(s: Setup, causes: ConfigId[] = []): Promise<string> {
  const result = await s.reconciler.reconcile(KEY, causes);
  s.putWorkload();
  return result.outcome;
}

test('a workload seen for the first time is adopted: its record is written, nothing rolls', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  assert.equal(await outcome(s), 'adopted');
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['record'],
  );
  assert.deepEqual([...(s.writes[0]?.record?.entries.keys() ?? [])], ['ConfigMap/cm']);
  assert.deepEqual(s.events, []);
  assert.equal(await outcome(s), 'unchanged', 'a second look (or a restart) writes nothing');
  assert.equal(s.writes.length, 1);
});

test('a content change rolls once with the hash mark, an event naming the cause and its changed keys, and an alert', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  await outcome(s);
  s.putConfig({ a: '2' });
  assert.equal(await outcome(s, [CM]), 'rolled');
  const roll = s.writes[1]?.roll;
  assert.match(roll?.mark.annotations[defaults.reconcile.hashAnnotation] ?? '', /^[0-9a-f]{64}$/);
  assert.match(s.events[0] ?? '', /^Normal Reloaded Deployment\/web: ConfigMap\/cm: key a changed$/);
  assert.deepEqual(
    s.notices.map((n) => n.changed),
    [[{ kind: 'ConfigMap', name: 'cm', keys: { changed: ['a'], added: [], removed: [] } }]],
  );
  assert.equal(await outcome(s), 'unchanged');
});

test('a change seen only at start-up is named as having changed while not watched', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  await outcome(s);
  s.putConfig({ a: '2' });
  assert.equal(await outcome(s, []), 'rolled');
  assert.match(s.events[0] ?? '', /ConfigMap\/cm changed while not watched/);
});

test("env-vars strategy: Stakater's variable on the container that uses the config, one per config", async () => {
  const s = setup({ strategy: 'env-vars' });
  s.putConfig({ a: '1' }, 'app.settings-v2');
  s.putConfig({ b: '1' }, 'other');
  s.putWorkload({ envFrom: [{ configMapRef: { name: 'app.settings-v2' } }, { configMapRef: { name: 'other' } }] });
  await outcome(s);
  s.putConfig({ a: '2' }, 'app.settings-v2');
  assert.equal(await outcome(s), 'rolled');
  const env = s.writes[1]?.roll?.mark.env.get('app') ?? [];
  assert.deepEqual(
    env.map((e) => e.name),
    ['STAKATER_APP_SETTINGS_V2_CONFIGMAP', 'STAKATER_OTHER_CONFIGMAP'],
  );
  assert.deepEqual(s.writes[1]?.roll?.mark.annotations, {});
});

test('annotations strategy: last-reloaded-from names the changed config, and an unchanged config writes nothing', async () => {
  const s = setup({ strategy: 'annotations' });
  s.putConfig({ a: '1' });
  s.putConfig({ b: '1' }, 'other');
  s.putWorkload({ envFrom: [{ configMapRef: { name: 'cm' } }, { configMapRef: { name: 'other' } }] });
  await outcome(s);
  s.putConfig({ b: '2' }, 'other');
  assert.equal(await outcome(s, [referenceKey('ConfigMap', 'other')]), 'rolled');
  const value = JSON.parse(
    s.writes[1]?.roll?.mark.annotations['reloader.stakater.com/last-reloaded-from'] ?? '{}',
  ) as Record<string, unknown>;
  assert.deepEqual(
    { type: value.type, name: value.name, namespace: value.namespace, containerRefs: value.containerRefs },
    { type: 'CONFIGMAP', name: 'other', namespace: 'ns', containerRefs: ['app'] },
  );
  assert.equal(typeof value.hash, 'string');
  assert.equal(await outcome(s), 'unchanged', 'Stakater rewrites observedAt on every event; we write nothing');
  assert.equal(s.writes.length, 2);
});

test('a config created later is recorded without a roll, unless --reload-on-create', async () => {
  for (const reloadOnCreate of [false, true]) {
    const s = setup({ reloadOnCreate });
    s.putWorkload({ envFrom: [{ configMapRef: { name: 'cm', optional: true } }] });
    await outcome(s);
    s.putConfig({ a: '1' });
    assert.equal(await outcome(s, [CM]), reloadOnCreate ? 'rolled' : 'recorded');
  }
});

test('a deleted optional config is recorded without a roll, unless --reload-on-delete; env-vars then drops its variable', async () => {
  for (const reloadOnDelete of [false, true]) {
    const s = setup({ reloadOnDelete, strategy: 'env-vars' });
    s.putConfig({ a: '1' });
    s.putWorkload({ envFrom: [{ configMapRef: { name: 'cm', optional: true } }] });
    await outcome(s);
    s.removeConfig('cm');
    assert.equal(await outcome(s, [CM]), reloadOnDelete ? 'rolled' : 'recorded');
    if (reloadOnDelete) assert.equal(s.writes[1]?.roll?.mark.env.size, 0);
  }
});

test('a missing required config holds the roll back until it returns', async () => {
  const s = setup({ reloadOnDelete: true });
  s.putConfig({ a: '1' });
  s.putWorkload();
  await outcome(s);
  s.removeConfig('cm');
  assert.equal(await outcome(s), 'waiting');
  assert.equal(s.writes.length, 1);
  s.putConfig({ a: '1' });
  assert.equal(await outcome(s), 'unchanged', 'back with the same data: the pods never needed a restart');
});

test('a template edit that changes which keys the pod sees restarted the pods already: recorded, not rolled', async () => {
  const s = setup();
  s.putConfig({ a: '1', b: '1' });
  s.putWorkload({ envFrom: [{ configMapRef: { name: 'cm' } }] });
  await outcome(s);
  s.putConfig({ a: '1', b: '2' });
  s.putWorkload({ envFrom: [], env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'a' } } }] });
  assert.equal(await outcome(s), 'recorded');
  s.putConfig({ a: '2', b: '2' });
  assert.equal(await outcome(s), 'rolled', 'the key it now sees changed');
});

test('dry run writes nothing, not even an adoption', async () => {
  const s = setup({ dryRun: true });
  s.putConfig({ a: '1' });
  s.putWorkload();
  assert.equal(await outcome(s), 'adopted');
  assert.deepEqual(s.writes, []);
});

test('--webhook-url: the receiver is told instead of rolling, and the record then moves on; a failed POST propagates', async () => {
  const s = setup({}, { webhook: true });
  s.putConfig({ a: '1' });
  s.putWorkload();
  await outcome(s);
  s.putConfig({ a: '2' });
  s.failWrites(new Error('receiver down'));
  await assert.rejects(s.reconciler.reconcile(KEY, [CM]), /receiver down/);
  s.failWrites(undefined);
  assert.equal(await outcome(s, [CM]), 'notified');
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['record', 'record'],
  );
  assert.equal(s.notices.length, 2);
  assert.equal(await outcome(s), 'unchanged');
});

test('pause period: the roll pauses the Deployment, a later look before the end waits, after it resumes', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload({ annotations: { [defaults.reconcile.annotations.pausePeriod]: '5m' } });
  await outcome(s);
  s.putConfig({ a: '2' });
  const rolled = await s.reconciler.reconcile(KEY);
  s.putWorkload();
  assert.deepEqual(rolled, { outcome: 'rolled', requeueAfterMs: 300_000 });
  assert.equal(s.writes[1]?.roll?.pausedAt, '2026-11-23T10:00:00.000Z');
  s.advance(60_000);
  s.putConfig({ a: '3' });
  const again = await s.reconciler.reconcile(KEY);
  s.putWorkload();
  assert.deepEqual(again, { outcome: 'rolled', requeueAfterMs: 240_000 }, 'a second change joins the same pause');
  assert.equal(s.writes[2]?.roll?.pausedAt, '2026-11-23T10:00:00.000Z');
  s.advance(240_000);
  assert.equal(await outcome(s), 'resumed');
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['record', 'roll', 'roll', 'resume'],
  );
});

test('an invalid pause period is reported once and the roll goes ahead unpaused', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload({ annotations: { [defaults.reconcile.annotations.pausePeriod]: 'soon' } });
  await outcome(s);
  s.putConfig({ a: '2' });
  assert.equal(await outcome(s), 'rolled');
  assert.equal(s.writes[1]?.roll?.pausedAt, undefined);
  s.putConfig({ a: '3' });
  await outcome(s);
  assert.equal(s.events.filter((e) => e.includes('InvalidAnnotation')).length, 1);
  assert.match(
    s.events.find((e) => e.includes('InvalidAnnotation')) ?? '',
    /deployment\.reloader\.stakater\.com\/pause-period: "soon" is not valid/,
  );
});

test('a pause period beyond 24h is ignored with an Event naming the annotation; 24h itself pauses', async () => {
  for (const [period, paused] of [
    ['999999h', false],
    ['24h0m1s', false],
    ['24h', true],
  ] as const) {
    const s = setup();
    s.putConfig({ a: '1' });
    s.putWorkload({ annotations: { [defaults.reconcile.annotations.pausePeriod]: period } });
    await outcome(s);
    s.putConfig({ a: '2' });
    assert.equal(await outcome(s), 'rolled');
    assert.equal(s.writes[1]?.roll?.pausedAt !== undefined, paused, period);
    const warning = s.events.find((e) => e.includes('InvalidAnnotation'));
    if (paused) assert.equal(warning, undefined, period);
    else
      assert.match(
        warning ?? '',
        /pause-period: ".*" is not valid \(longer than the maximum pause period, 24h\)/,
        period,
      );
  }
});

test('an auto value that is no Go boolean is treated as absent, and the debug line names it', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload({ annotations: { [defaults.reconcile.annotations.auto]: 'yes' } });
  assert.equal(await outcome(s), 'skipped');
  assert.ok(
    s.logs.some(
      (l) => l.msg === 'reloader.stakater.com/auto: "yes" is not a boolean, treated as absent' && l.value === 'yes',
    ),
    JSON.stringify(s.logs),
  );
});

test('a named list beyond its caps gets one InvalidAnnotation Event on the workload naming the annotation, with the value cut short', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  const list = Array.from({ length: 65 }, (_, i) => `config-${i}`).join(',');
  s.putWorkload({ annotations: { [defaults.reconcile.annotations.configMapReload]: list } });
  await outcome(s);
  await outcome(s);
  assert.equal(s.events.length, 1);
  assert.match(
    s.events[0] ?? '',
    /^Warning InvalidAnnotation Deployment\/web: annotation configmap\.reloader\.stakater\.com\/reload: "config-0,config-1,.*…" is not valid \(the list is longer than 4096 characters or 64 entries, so none of it is used\)/,
  );
  assert.ok((s.events[0] ?? '').length < 400);
});

test('Argo Rollouts with rollout-strategy restart ask for spec.restartAt', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload({ kind: 'Rollout', annotations: { [defaults.reconcile.annotations.rolloutStrategy]: 'restart' } });
  await s.reconciler.reconcile(workloadKey('Rollout', 'ns', 'web'));
  s.putWorkload();
  s.putConfig({ a: '2' });
  assert.equal((await s.reconciler.reconcile(workloadKey('Rollout', 'ns', 'web'))).outcome, 'rolled');
  assert.equal(s.writes[1]?.roll?.restart, true);
});

test('Jobs: only an annotation on the Job itself opts it in, and Jobs run by a CronJob are left to the CronJob', async () => {
  const auto = setup({ optIn: { ...defaults.reconcile.optIn, autoReloadAll: true } });
  auto.putConfig({ a: '1' });
  auto.putWorkload({ kind: 'Job', annotations: { [defaults.reconcile.annotations.auto]: 'maybe' } });
  assert.equal(
    (await auto.reconciler.reconcile(workloadKey('Job', 'ns', 'web'))).outcome,
    'skipped',
    '--auto-reload-all does not recreate Jobs',
  );

  const own = setup();
  own.putConfig({ a: '1' });
  own.putWorkload({ kind: 'Job' });
  assert.equal(
    (await own.reconciler.reconcile(workloadKey('Job', 'ns', 'web'))).outcome,
    'adopted',
    'its own auto annotation opts it in',
  );

  const owned = setup();
  owned.putConfig({ a: '1' });
  owned.putWorkload({ kind: 'Job', ownedBy: 'CronJob' });
  assert.equal((await owned.reconciler.reconcile(workloadKey('Job', 'ns', 'web'))).outcome, 'skipped');
});

test('a failed write propagates to the caller, which retries', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  s.failWrites(new Error('conflict'));
  await assert.rejects(s.reconciler.reconcile(KEY), /conflict/);
});

test('the signal given to reconcile reaches every write and every wait for a write token', async () => {
  const s = setup();
  const lead = new AbortController().signal;
  s.putConfig({ a: '1' }, 'cm');
  s.putWorkload({ annotations: { [defaults.reconcile.annotations.pausePeriod]: '1m' } });
  await s.reconciler.reconcile(KEY, [], lead);
  s.putWorkload();
  s.putConfig({ a: '2' });
  await s.reconciler.reconcile(KEY, [], lead);
  s.putWorkload();
  s.advance(60_000);
  assert.equal((await s.reconciler.reconcile(KEY, [], lead)).outcome, 'resumed');
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['record', 'roll', 'resume'],
  );
  assert.equal(s.signals.length, 5);
  assert.ok(s.signals.every((signal) => signal === lead));
});

test('a workload that is gone is nothing to do', async () => {
  assert.equal((await setup().reconciler.reconcile(workloadKey('Deployment', 'ns', 'nope'))).outcome, 'gone');
});

/** The record entry an earlier release wrote for a ConfigMap seen whole: the version 1 grammar, unkeyed. */
function version1Entry(data: Record<string, string>, name = 'cm'): string {
  const str = (v: string): string => `${Buffer.byteLength(v)}:${v}`;
  const keys = Object.keys(data).sort();
  const entries = keys.map(
    (k) =>
      `${str(k)}D${str(
        createHash('sha256')
          .update(data[k] ?? '')
          .digest('base64url')
          .slice(0, 22),
      )}`,
  );
  const bytes = `mini-reloader/config-hash/v1C${str('ConfigMap')}${str(name)}P${keys.length}:${entries.join('')}`;
  return `*.${createHash('sha256').update(bytes).digest('hex').slice(0, 22)}`;
}

test("a version 1 record (an earlier release's) with unchanged data rolls nothing and writes nothing", async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.seedRecord(JSON.stringify({ 'ConfigMap/cm': version1Entry({ a: '1' }) }));
  s.putWorkload();
  assert.equal(await outcome(s), 'unchanged');
  assert.equal(await outcome(s), 'unchanged', 'and stays so: nothing is rewritten to migrate it');
  assert.deepEqual(s.writes, []);
});

test('a version 1 record with changed data rolls once and is replaced by the keyed version 2', async () => {
  const s = setup();
  s.putConfig({ a: '2' });
  s.seedRecord(JSON.stringify({ 'ConfigMap/cm': version1Entry({ a: '1' }) }));
  s.putWorkload();
  assert.equal(await outcome(s, [CM]), 'rolled');
  const written = s.writes[0]?.record;
  assert.ok(written);
  assert.equal(written.version, 2);
  assert.match(formatRecord(written), /^\{"v":2,"ConfigMap\/cm":"\*\.[0-9a-f]{22}"\}$/);
  assert.equal(await outcome(s), 'unchanged');
  assert.equal(s.writes.length, 1);
});

test('nothing written lets a reader of the workload test a guess of a value: no unkeyed SHA-256 of it, under any strategy', async () => {
  const value = '4711';
  const sha = createHash('sha256').update(value).digest();
  const unkeyed = [
    sha.toString('hex'),
    sha.toString('base64'),
    sha.toString('base64url'),
    version1Entry({ pin: value }).slice(2),
  ];
  for (const strategy of ['hash', 'env-vars', 'annotations'] as const) {
    const s = setup({ strategy });
    s.putConfig({ pin: '0000' });
    s.putWorkload();
    await outcome(s);
    s.putConfig({ pin: value });
    assert.equal(await outcome(s, [CM]), 'rolled');
    const roll = s.writes[1]?.roll;
    assert.ok(roll);
    const written = [
      ...[...roll.record.entries.values()].map((e) => e.slice(e.indexOf('.') + 1)),
      ...Object.values(roll.mark.annotations),
      ...[...roll.mark.env.values()].flatMap((vars) => vars.map((v) => v.value)),
    ];
    assert.ok(written.length >= 2, `${strategy}: a record entry and a mark were written`);
    for (const text of written) {
      for (const guess of unkeyed)
        assert.ok(
          !text.includes(guess.slice(0, 16)) && !guess.includes(text),
          `${strategy}: ${text} derives from the value alone`,
        );
    }
  }
});

test('two configs with the same data but different uids get different marks and record entries', async () => {
  const marks = [];
  for (const uid of ['uid-one', 'uid-two']) {
    const s = setup({ strategy: 'env-vars' });
    s.putConfig({ a: '1' }, 'cm', uid);
    s.putWorkload();
    await outcome(s);
    s.putConfig({ a: '2' }, 'cm', uid);
    await outcome(s);
    const roll = s.writes[1]?.roll;
    marks.push({ entry: roll?.record.entries.get(CM), env: roll?.mark.env.get('app')?.[0]?.value });
  }
  assert.notEqual(marks[0]?.entry, marks[1]?.entry);
  assert.notEqual(marks[0]?.env, marks[1]?.env);
});

test('a config deleted and created again with the same data while watched is only recorded; then its next change rolls', async () => {
  const s = setup({ reloadOnDelete: true });
  s.putConfig({ a: '1' });
  s.putWorkload();
  await outcome(s);
  s.removeConfig('cm');
  assert.equal(
    await outcome(s),
    'waiting',
    'a required config is missing: the roll its deletion asks for is held back, nothing recorded',
  );
  s.putConfig({ a: '1' }, 'cm', 'uid-second');
  assert.equal(await outcome(s), 'recorded', 'same data under a new key');
  s.putConfig({ a: '1' }, 'cm', 'uid-third');
  assert.equal(await outcome(s), 'recorded', 'replaced without a deletion seen (a relist): the same');
  s.putConfig({ a: '2' }, 'cm', 'uid-third');
  assert.equal(await outcome(s), 'rolled');
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['record', 'record', 'record', 'roll'],
  );
});

test('a config deleted and created again with the same data while the controller was down reads as changed: one roll', async () => {
  const before = setup();
  before.putConfig({ a: '1' });
  before.putWorkload();
  await outcome(before);
  const written = before.writes[0]?.record;
  assert.ok(written);
  const after = setup();
  after.putConfig({ a: '1' }, 'cm', 'uid-recreated');
  after.seedRecord(formatRecord(written));
  after.putWorkload();
  assert.equal(await outcome(after), 'rolled');
  assert.equal(await outcome(after), 'unchanged');
});

test('a change after first sight rolls once, even though the adoption write failed before it', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  s.reconciler.sawWorkload(KEY);
  s.failWrites(Object.assign(new Error('conflict'), { status: 409 }));
  await assert.rejects(s.reconciler.reconcile(KEY), /conflict/);
  s.putConfig({ a: '2' });
  await assert.rejects(s.reconciler.reconcile(KEY), /conflict/, 'a second failure keeps the first-sight state too');
  s.failWrites(undefined);
  assert.equal(await outcome(s, [CM]), 'rolled');
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['roll'],
  );
  assert.equal(await outcome(s), 'unchanged');
  assert.deepEqual(
    s.takes,
    { roll: 2, adoption: 1 },
    'the adoption attempt is paced by the adoption limiter, each roll attempt by its own',
  );
});

test('a workload first seen while running is adopted with the data of that moment; one never seen before its write adopts the data then', async () => {
  const seen = setup();
  seen.putConfig({ a: '1' });
  seen.putWorkload();
  seen.reconciler.sawWorkload(KEY);
  seen.putConfig({ a: '2' });
  assert.equal(await outcome(seen, [CM]), 'rolled', 'its pods were created with a: 1');

  const unseen = setup();
  unseen.putConfig({ a: '1' });
  unseen.putWorkload();
  unseen.putConfig({ a: '2' });
  assert.equal(
    await outcome(unseen),
    'adopted',
    'a change before first sight cannot be told from the data it started with',
  );
  assert.equal(await outcome(unseen), 'unchanged');
});

test('first sight is dropped once the record is written: later reconciles compare with the record', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  s.reconciler.sawWorkload(KEY);
  assert.equal(await outcome(s), 'adopted');
  s.reconciler.sawWorkload(KEY);
  s.putConfig({ a: '2' });
  assert.equal(await outcome(s), 'rolled');
  s.putConfig({ a: '1' });
  assert.equal(await outcome(s), 'rolled', 'back to the first-sight data is a change from the record');
});

/** A workload adopted under --max-rolls-per-workload=`maxRolls` and a one-minute --roll-loop-window. */
async function adoptedWithRollLoop(maxRolls: number): Promise<Setup> {
  const s = setup({ rollLoop: { maxRolls, windowMs: 60_000 } });
  s.putConfig({ a: '0' });
  s.putWorkload();
  await outcome(s);
  return s;
}

test('a restart loop: after --max-rolls-per-workload rolls within the window the next change is held, with one ReloadLoop Warning, and rolls once with the newest data when the window has passed since the last roll', async () => {
  const s = await adoptedWithRollLoop(3);
  for (const value of ['1', '2', '3']) {
    s.advance(5_000);
    s.putConfig({ a: value });
    assert.equal(await outcome(s, [CM]), 'rolled');
  }
  const lastRoll = Date.parse('2026-11-23T10:00:15Z');
  s.advance(5_000);
  s.putConfig({ a: '4' });
  const held = await s.reconciler.reconcile(KEY, [CM]);
  assert.deepEqual(held, {
    outcome: 'waiting',
    requeueAfterMs: lastRoll + 60_000 - Date.parse('2026-11-23T10:00:20Z'),
  });
  s.advance(5_000);
  s.putConfig({ a: '5' });
  assert.equal(await outcome(s, [CM]), 'waiting', 'still held: another change does not roll it early');
  const loops = s.events.filter((e) => e.includes('ReloadLoop'));
  assert.deepEqual(loops, [
    'Warning ReloadLoop Deployment/web: held as a restart loop: rolled 3 times within 1m; ConfigMap/cm: key a changed; it rolls once with the newest data at 2026-11-23T10:01:15.000Z',
  ]);
  assert.equal(s.writes.filter((w) => w.op === 'roll').length, 3);

  s.advance(lastRoll + 60_000 - Date.parse('2026-11-23T10:00:25Z'));
  assert.equal(await outcome(s), 'rolled', 'the window has passed since the last roll');
  const rolls = s.writes.filter((w) => w.op === 'roll');
  assert.equal(rolls.length, 4);
  assert.equal(await outcome(s), 'unchanged', 'once, with the newest data');
});

test('a workload held as a restart loop is held after a restart too: the count comes from its roll times', async () => {
  const s = await adoptedWithRollLoop(2);
  for (const value of ['1', '2']) {
    s.putConfig({ a: value });
    await outcome(s, [CM]);
  }
  const last = s.writes.at(-1);
  assert.ok(last?.record !== undefined && last.roll !== undefined);
  const restarted = setup({ rollLoop: { maxRolls: 2, windowMs: 60_000 } });
  restarted.seedRecord(formatRecord(last.record));
  restarted.putConfig({ a: '3' });
  restarted.putWorkload({ annotations: { [ROLLED_AT]: formatRollTimes(last.roll.rolledAt) } });
  assert.equal(await outcome(restarted), 'waiting');
  assert.equal(restarted.writes.length, 0);
});

test('--max-rolls-per-workload=0 turns the breaker off', async () => {
  const s = await adoptedWithRollLoop(0);
  for (let i = 1; i <= 20; i++) {
    s.putConfig({ a: String(i) });
    assert.equal(await outcome(s, [CM]), 'rolled');
  }
});

test('a frozen Namespace holds its workload through two changes with one ReloadHeld Event naming it; lifting the freeze rolls it once', async () => {
  const s = setup();
  const freeze = defaults.reconcile.annotations.freeze;
  s.putConfig({ a: '1' });
  s.putWorkload();
  assert.equal(await outcome(s), 'adopted');
  s.putNamespace({ [freeze]: 'true' });
  s.putConfig({ a: '2' });
  assert.equal(await outcome(s, [CM]), 'waiting');
  s.putConfig({ a: '3' });
  assert.equal(await outcome(s, [CM]), 'waiting');
  assert.deepEqual(s.events, [
    `Normal ReloadHeld Deployment/web: ConfigMap/cm changed; not rolled while Namespace ns is frozen (${freeze} "true" on it); it rolls once with the newest data when the freeze is lifted`,
  ]);
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['record'],
    'nothing written while held: the change stays pending',
  );

  s.putNamespace({});
  assert.equal(await outcome(s), 'rolled');
  assert.equal(await outcome(s), 'unchanged');
  assert.deepEqual(
    s.writes.map((w) => w.op),
    ['record', 'roll'],
  );
});
