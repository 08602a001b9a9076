import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigEntry } from '../../../src/config/config-cache.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { referenceKey } from '../../../src/model/config-id.ts';
import type { ConfigKind } from '../../../src/model/config-kind.ts';
import type { ConfigRecord } from '../../../src/model/config-record.ts';
import { decide, recordNow } from '../../../src/reload/decide.ts';
import type {
  ConfigView,
  Decision,
  DecideSettings,
  FollowedVerdict,
  UnfollowedVerdict,
} from '../../../src/reload/decision.ts';
import { parseMaintenanceWindows, type MaintenanceWindow } from '../../../src/reload/maintenance-window.ts';
import { NameListCompiler } from '../../../src/reload/name-list.ts';
import type { NamespaceHolds } from '../../../src/reload/namespace-holds.ts';
import { controllerSettings } from '../../../src/run-settings.ts';
import type { ConfigReference } from '../../../src/workload/config-reference.ts';
import type { WorkloadRecord } from '../../../src/workload/workload-cache.ts';
import type { WorkloadKind } from '../../../src/model/workload-kind.ts';

/** The shipped defaults, so these tests exercise the annotation names users get. */
const defaults = controllerSettings(parseRunOptions([], {})).reconcile;
const nameLists = new NameListCompiler();
await nameLists.load();
const settings: DecideSettings = { ...defaults, nameLists };
const A = defaults.annotations.auto;
const PAUSE = defaults.annotations.pausePeriod;
const NOW = Date.parse('2026-11-23T10:00:00Z');

type Configs = Readonly<Record<string, ConfigEntry | undefined>>;

/** A cached config with `data` (its per-key digests stand for the values), and a uid per name unless given. */
function config(
  name: string,
  data: Record<string, string>,
  flags: Partial<Omit<ConfigEntry, 'digests'>> = {},
): Record<string, ConfigEntry> {
  const digests = new Map(Object.entries(data).map(([k, v]) => [k, `digest-of-${v}`]));
  return {
    [`ConfigMap/${name}`]: { digests, uid: `uid-${name}`, enabled: false, ignored: false, match: false, ...flags },
  };
}

function view(configs: Configs, formerUids: Readonly<Record<string, string>> = {}): ConfigView {
  return {
    get: (kind, name) => configs[`${kind}/${name}`],
    names: (kind) =>
      Object.keys(configs)
        .filter((id) => id.startsWith(`${kind}/`) && configs[id] !== undefined)
        .map((id) => id.slice(kind.length + 1)),
    formerUid: (kind, name) => formerUids[`${kind}/${name}`],
  };
}

const ref = (name: string, more: Partial<ConfigReference> = {}, kind: ConfigKind = 'ConfigMap'): ConfigReference => ({
  kind,
  name,
  keys: 'all',
  optional: false,
  containers: ['app'],
  ...more,
});

interface Shape {
  readonly annotations?: Record<string, string>;
  readonly references?: readonly ConfigReference[];
  readonly record?: ConfigRecord;
  readonly kind?: WorkloadKind;
  readonly pausedAt?: string;
  readonly rolledAt?: readonly number[];
}

function workload(shape: Shape = {}): WorkloadRecord {
  return {
    kind: shape.kind ?? 'Deployment',
    namespace: 'ns',
    name: 'web',
    uid: 'u',
    resourceVersion: '1',
    annotations: shape.annotations ?? { [A]: 'true' },
    templateAnnotations: {},
    references: shape.references ?? [ref('cm')],
    containers: ['app'],
    record: shape.record,
    paused: shape.pausedAt !== undefined,
    pausedAt: shape.pausedAt,
    rolledAt: shape.rolledAt ?? [],
    suspended: false,
    controllerKind: undefined,
  };
}

/** The record the controller wrote for this workload when the caches held `configs`: its adoption. */
function recorded(shape: Shape, configs: Configs, s: DecideSettings = settings): ConfigRecord {
  const record = recordNow(workload(shape), view(configs), s);
  assert.ok(record, 'the workload follows a config');
  return record;
}

/** The decision for a workload adopted with `before` and looked at again with `after`. */
function later(
  shape: Shape,
  before: Configs,
  after: Configs,
  s: DecideSettings = settings,
  formerUids: Readonly<Record<string, string>> = {},
): Decision {
  return decide(workload({ ...shape, record: recorded(shape, before, s) }), view(after, formerUids), s, NOW);
}

function followed(decision: Decision, id: string): FollowedVerdict {
  const verdict = decision.configs.find((c) => c.id === id);
  assert.ok(verdict?.follows === true, `${id} is followed: ${JSON.stringify(decision.configs)}`);
  return verdict;
}

function unfollowed(decision: Decision, id: string): UnfollowedVerdict {
  const verdict = decision.configs.find((c) => c.id === id);
  assert.ok(verdict?.follows === false, `${id} is not followed: ${JSON.stringify(decision.configs)}`);
  return verdict;
}

function assertKind<K extends Decision['kind']>(
  decision: Decision,
  kind: K,
  message = '',
): asserts decision is Extract<Decision, { kind: K }> {
  assert.equal(
    decision.kind,
    kind,
    `${message} ${JSON.stringify(decision, (_, v: unknown): unknown => (v instanceof Map ? Object.fromEntries(v as Map<string, unknown>) : v))}`,
  );
}

test('How it decides: a ConfigMap/Secret labelled enabled changes: every workload that references it rolls', () => {
  const shape = { annotations: {}, references: [ref('cm'), ref('plain')] };
  const decision = later(
    shape,
    { ...config('cm', { a: '1' }, { enabled: true }), ...config('plain', { a: '1' }) },
    { ...config('cm', { a: '2' }, { enabled: true }), ...config('plain', { a: '2' }) },
  );
  assertKind(decision, 'roll');
  assert.deepEqual(decision.changed, ['ConfigMap/cm']);
  assert.equal(followed(decision, 'ConfigMap/cm').rule, 'enabled-label');
  assert.equal(unfollowed(decision, 'ConfigMap/plain').cause, 'not-opted-in');
});

test('a roll writes the roll times with its own added, so what counts past rolls survives a restart', () => {
  const earlier = NOW - 60_000;
  const decision = later({ rolledAt: [earlier] }, config('cm', { a: '1' }), config('cm', { a: '2' }));
  assertKind(decision, 'roll');
  assert.deepEqual(decision.rolledAt, [earlier, NOW]);
});

test('How it decides: a workload annotated auto "true" rolls when any ConfigMap/Secret it references changes', () => {
  const shape = { references: [ref('cm'), ref('other')] };
  const decision = later(
    shape,
    { ...config('cm', { a: '1' }), ...config('other', { b: '1' }) },
    { ...config('cm', { a: '1' }), ...config('other', { b: '2' }) },
  );
  assertKind(decision, 'roll');
  assert.deepEqual(decision.changed, ['ConfigMap/other']);
  assert.deepEqual(
    decision.configs.map((c) => c.follows && [c.id, c.rule, c.change]),
    [
      ['ConfigMap/cm', 'auto', 'unchanged'],
      ['ConfigMap/other', 'auto', 'changed'],
    ],
  );
  assert.match(decision.mark.annotations[defaults.hashAnnotation] ?? '', /^[0-9a-f]{64}$/);
  assert.equal(decision.plan.trigger.name, 'other');
});

test('How it decides: auto "false" on a workload: never rolled, whatever else says so', () => {
  const s = { ...settings, optIn: { ...settings.optIn, autoReloadAll: true } };
  const decision = decide(
    workload({ annotations: { [A]: 'false', [defaults.annotations.configMapReload]: 'cm' } }),
    view(config('cm', { a: '1' }, { enabled: true })),
    s,
    NOW,
  );
  assertKind(decision, 'skip');
  assert.equal(decision.why, 'opted-out');
  assert.match(decision.detail, /auto is "false"/);
});

test('How it decides: ignore "true" on a ConfigMap/Secret: never triggers anything', () => {
  const decision = decide(workload(), view(config('cm', { a: '1' }, { ignored: true, enabled: true })), settings, NOW);
  assertKind(decision, 'skip');
  assert.equal(decision.why, 'follows-nothing');
  assert.equal(unfollowed(decision, 'ConfigMap/cm').cause, 'config-ignored');
});

test('How it decides: only labels or annotations of a config change: nothing rolls', () => {
  const decision = later({}, config('cm', { a: '1' }), config('cm', { a: '1' }, { enabled: true, match: true }));
  assertKind(decision, 'skip');
  assert.equal(decision.why, 'unchanged');
});

test('How it decides: a key the pod cannot see changes: nothing rolls', () => {
  const shape = { references: [ref('cm', { keys: ['seen'] })] };
  const decision = later(shape, config('cm', { seen: '1', unseen: '1' }), config('cm', { seen: '1', unseen: '2' }));
  assertKind(decision, 'skip');
  assert.equal(decision.why, 'unchanged');
  assert.deepEqual(followed(decision, 'ConfigMap/cm').visibleKeys, ['seen']);
  assertKind(later(shape, config('cm', { seen: '1' }), config('cm', { seen: '2' })), 'roll');
});

test('How it decides: a followed config is created (it was referenced while missing): recorded, no roll; rolls with --reload-on-create', () => {
  const shape = { references: [ref('cm', { optional: true })] };
  const recordOnly = later(shape, {}, config('cm', { a: '1' }));
  assertKind(recordOnly, 'record');
  assert.deepEqual(recordOnly.created, ['ConfigMap/cm']);
  assert.equal(followed(recordOnly, 'ConfigMap/cm').change, 'created');
  const s = { ...settings, reloadOnCreate: true };
  const roll = later(shape, {}, config('cm', { a: '1' }), s);
  assertKind(roll, 'roll');
  assert.deepEqual(roll.changed, ['ConfigMap/cm']);
});

test('How it decides: a followed optional config is deleted: recorded, no roll; rolls with --reload-on-delete', () => {
  const shape = { references: [ref('cm', { optional: true })] };
  const recordOnly = later(shape, config('cm', { a: '1' }), {});
  assertKind(recordOnly, 'record');
  assert.deepEqual(recordOnly.deleted, ['ConfigMap/cm']);
  const roll = later(shape, config('cm', { a: '1' }), {}, { ...settings, reloadOnDelete: true, strategy: 'env-vars' });
  assertKind(roll, 'roll');
  assert.equal(followed(roll, 'ConfigMap/cm').change, 'deleted');
  assert.equal(roll.mark.env.size, 0, "env-vars drops the deleted config's variable");
});

test('How it decides: a non-optional config is missing: nothing rolls until it is back', () => {
  const shape = { references: [ref('cm'), ref('other')] };
  const decision = later(
    shape,
    { ...config('cm', { a: '1' }), ...config('other', { b: '1' }) },
    config('other', { b: '2' }),
    { ...settings, reloadOnDelete: true },
  );
  assertKind(decision, 'hold');
  assert.deepEqual(decision.reason, { why: 'config-missing', missing: ['ConfigMap/cm'] });
  assert.equal(decision.until, undefined, 'until the config is back');
  assert.equal(decision.held.kind, 'roll');
});

test('How it decides: a template edit changes which keys the pods see: recorded, no roll', () => {
  const record = recorded({ references: [ref('cm')] }, config('cm', { a: '1', b: '1' }));
  const decision = decide(
    workload({ references: [ref('cm', { keys: ['a'] })], record }),
    view(config('cm', { a: '1', b: '2' })),
    settings,
    NOW,
  );
  assertKind(decision, 'record');
  assert.equal(followed(decision, 'ConfigMap/cm').change, 'view-changed');
});

test('How it decides: several changes within the debounce window: one rollout (the queue merges the looks; each look decides on the data of now)', () => {
  const decision = later({}, config('cm', { a: '1' }), config('cm', { a: '3' }));
  assertKind(decision, 'roll');
  assert.deepEqual(decision.changed, ['ConfigMap/cm']);
  const afterRoll = decide(workload({ record: decision.record }), view(config('cm', { a: '3' })), settings, NOW);
  assertKind(afterRoll, 'skip');
  assert.equal(afterRoll.why, 'unchanged');
});

test('How it decides: the controller restarts, or a leader changes: nothing rolls unless the data changed meanwhile; then it rolls once', () => {
  const unchanged = later({}, config('cm', { a: '1' }), config('cm', { a: '1' }));
  assertKind(unchanged, 'skip');
  const changed = later({}, config('cm', { a: '1' }), config('cm', { a: '2' }));
  assertKind(changed, 'roll');
  const recreated = config('cm', { a: '1' }, { uid: 'uid-new' });
  assertKind(
    later({}, config('cm', { a: '1' }), recreated),
    'roll',
    'the same data under a new uid, while down: it cannot tell',
  );
  const recreatedWhileWatched = later({}, config('cm', { a: '1' }), recreated, settings, { 'ConfigMap/cm': 'uid-cm' });
  assertKind(recreatedWhileWatched, 'record');
  assert.equal(followed(recreatedWhileWatched, 'ConfigMap/cm').change, 'recreated');
});

test('a workload without a record is adopted, compared with its first sight: a change since then rolls', () => {
  const first = recorded({}, config('cm', { a: '1' }));
  const adopt = decide(workload(), view(config('cm', { a: '1' })), settings, NOW);
  assertKind(adopt, 'adopt');
  assert.deepEqual(adopt.record, first);
  const roll = decide(workload(), view(config('cm', { a: '2' })), settings, NOW, {
    firstSight: first,
    causes: [referenceKey('ConfigMap', 'cm')],
  });
  assertKind(roll, 'roll');
});

test('a pause period: the roll pauses the Deployment; with nothing to roll it holds until the period ends, then resumes', () => {
  const shape = { annotations: { [A]: 'true', [PAUSE]: '5m' } };
  const roll = later(shape, config('cm', { a: '1' }), config('cm', { a: '2' }));
  assertKind(roll, 'roll');
  assert.deepEqual(roll.pause, { kind: 'pause', pausedAt: '2026-11-23T10:00:00.000Z', until: NOW + 300_000 });
  const paused = { ...shape, pausedAt: '2026-11-23T10:00:00.000Z', record: roll.record };
  const hold = decide(workload(paused), view(config('cm', { a: '2' })), settings, NOW + 60_000);
  assertKind(hold, 'hold');
  assert.deepEqual(
    [hold.reason, hold.until, hold.held.kind],
    [{ why: 'pause-period', pausedAt: '2026-11-23T10:00:00.000Z' }, NOW + 300_000, 'skip'],
  );
  assertKind(decide(workload(paused), view(config('cm', { a: '2' })), settings, NOW + 300_000), 'resume');
});

test('Jobs follow configs only by an annotation of their own, and never when a CronJob runs them', () => {
  const s = { ...settings, optIn: { ...settings.optIn, autoReloadAll: true } };
  const notOptedIn = decide(workload({ kind: 'Job', annotations: {} }), view(config('cm', { a: '1' })), s, NOW);
  assertKind(notOptedIn, 'skip');
  assert.equal(notOptedIn.why, 'job-not-opted-in');
  assertKind(decide(workload({ kind: 'Job' }), view(config('cm', { a: '1' })), s, NOW), 'adopt');
  const run = decide(
    { ...workload({ kind: 'Job' }), controllerKind: 'CronJob' },
    view(config('cm', { a: '1' })),
    s,
    NOW,
  );
  assertKind(run, 'skip');
  assert.equal(run.why, 'cronjob-run');
});

const NAMED = defaults.annotations.configMapReload;

test('How it decides: a config named in a reload list but referenced nowhere is created: recorded, no roll; rolls once with --reload-on-create, also when created while the controller was down', () => {
  const shape = { annotations: { [NAMED]: 'extra' } };
  const adoption = decide(workload(shape), view(config('cm', { a: '1' })), settings, NOW);
  assertKind(adoption, 'adopt');
  assert.equal(
    adoption.record.entries.get(referenceKey('ConfigMap', 'extra')),
    '*.-',
    'followed while missing: the record says so',
  );
  const created = { ...config('cm', { a: '1' }), ...config('extra', { x: '1' }) };
  const recordOnly = later(shape, config('cm', { a: '1' }), created);
  assertKind(recordOnly, 'record');
  assert.deepEqual(
    [recordOnly.created, followed(recordOnly, 'ConfigMap/extra').rule],
    [['ConfigMap/extra'], 'named-list'],
  );
  const s = { ...settings, reloadOnCreate: true };
  const roll = later(shape, config('cm', { a: '1' }), created, s);
  assertKind(roll, 'roll');
  assert.deepEqual(roll.changed, ['ConfigMap/extra']);
  const once = decide(workload({ ...shape, record: roll.record }), view(created), s, NOW);
  assertKind(
    once,
    'skip',
    'the decision reads the record and the caches only, so whether the controller watched the creation makes no difference',
  );
  assert.equal(once.why, 'unchanged');
});

test('How it decides: such a named config is deleted: recorded, no roll; rolls once with --reload-on-delete, also when deleted while the controller was down', () => {
  const s = { ...settings, reloadOnDelete: true };
  for (const list of ['extra', 'ext.*']) {
    const shape = { annotations: { [NAMED]: list } };
    const before = { ...config('cm', { a: '1' }), ...config('extra', { x: '1' }) };
    const recordOnly = later(shape, before, config('cm', { a: '1' }));
    assertKind(recordOnly, 'record', list);
    assert.deepEqual(recordOnly.deleted, ['ConfigMap/extra'], list);
    const roll = later(shape, before, config('cm', { a: '1' }), s);
    assertKind(roll, 'roll', list);
    assert.deepEqual([roll.changed, followed(roll, 'ConfigMap/extra').change], [['ConfigMap/extra'], 'deleted'], list);
    const once = decide(workload({ ...shape, record: roll.record }), view(config('cm', { a: '1' })), s, NOW);
    assert.notEqual(once.kind, 'roll', `${list}: once`);
  }
});

test('a config a pattern of a reload list matches only once it exists is newly followed: recorded, even with --reload-on-create', () => {
  const shape = { references: [ref('cm')], annotations: { [A]: 'true', [NAMED]: 'ext.*' } };
  const decision = later(
    shape,
    config('cm', { a: '1' }),
    { ...config('cm', { a: '1' }), ...config('extra', { x: '1' }) },
    { ...settings, reloadOnCreate: true },
  );
  assertKind(decision, 'record');
  assert.equal(followed(decision, 'ConfigMap/extra').change, 'new');
});

const FREEZE = defaults.annotations.freeze;
const WINDOW = defaults.annotations.maintenanceWindow;

test('How it decides: a workload annotated mini-reloader.pelabs/freeze "true": its rolls are held, its changes stay pending, and lifting the freeze rolls it once with the newest data', () => {
  const frozen = { annotations: { [A]: 'true', [FREEZE]: 'true' } };
  const record = recorded(frozen, config('cm', { a: '1' }));
  const held = decide(workload({ ...frozen, record }), view(config('cm', { a: '2' })), settings, NOW);
  assertKind(held, 'hold');
  assert.deepEqual(held.reason, { why: 'freeze' });
  assert.equal(held.until, undefined, 'only lifting the freeze ends it');
  assertKind(held.held, 'roll');
  // Held, the record is not written: a second change while frozen is still one pending roll.
  const lifted = decide(
    workload({ annotations: { [A]: 'true', [FREEZE]: 'false' }, record }),
    view(config('cm', { a: '3' })),
    settings,
    NOW,
  );
  assertKind(lifted, 'roll');
  assert.deepEqual(lifted.changed, ['ConfigMap/cm']);
  assert.equal(
    lifted.plan.configs[0]?.hash,
    recorded({}, config('cm', { a: '3' }))
      .entries.get(referenceKey('ConfigMap', 'cm'))
      ?.split('.')[1],
    'rolls with the newest data',
  );
});

test('a freeze holds nothing when nothing changed, and a freeze value that is not a boolean is reported and does not freeze', () => {
  const unchanged = later(
    { annotations: { [A]: 'true', [FREEZE]: 'true' } },
    config('cm', { a: '1' }),
    config('cm', { a: '1' }),
  );
  assertKind(unchanged, 'skip');
  const typo = later(
    { annotations: { [A]: 'true', [FREEZE]: 'yes please' } },
    config('cm', { a: '1' }),
    config('cm', { a: '2' }),
  );
  assertKind(typo, 'roll');
  assert.deepEqual(typo.findings.notBooleans, [{ annotation: FREEZE, value: 'yes please' }]);
});

test("How it decides: a roll outside the workload's maintenance window (its annotation, else --maintenance-window): held until the next window opens, then it rolls once with the newest data", () => {
  // NOW is Monday 2026-11-23 10:00 UTC, 11:00 in Berlin.
  const shape = { annotations: { [A]: 'true', [WINDOW]: 'Mon-Fri 12:00-13:00 Europe/Berlin' } };
  const record = recorded(shape, config('cm', { a: '1' }));
  const held = decide(workload({ ...shape, record }), view(config('cm', { a: '2' })), settings, NOW);
  assertKind(held, 'hold');
  assert.deepEqual(held.reason, { why: 'maintenance-window' });
  assert.equal(held.until, Date.parse('2026-11-23T11:00:00Z'));
  assertKind(held.held, 'roll');
  const opened = decide(
    workload({ ...shape, record }),
    view(config('cm', { a: '3' })),
    settings,
    Date.parse('2026-11-23T11:00:00Z'),
  );
  assertKind(opened, 'roll');

  const flagged = { ...settings, maintenanceWindows: parsedWindows('Sat 00:00-06:00') };
  const byFlag = later({}, config('cm', { a: '1' }), config('cm', { a: '2' }), flagged);
  assertKind(byFlag, 'hold');
  assert.equal(byFlag.until, Date.parse('2026-11-28T00:00:00Z'));
  const ownWindow = later(
    { annotations: { [A]: 'true', [WINDOW]: 'Mon 09:00-11:00 UTC' } },
    config('cm', { a: '1' }),
    config('cm', { a: '2' }),
    flagged,
  );
  assertKind(ownWindow, 'roll', 'the annotation overrides the flag');
});

test('How it decides: a maintenance window that does not parse: a Warning Event InvalidAnnotation, and it rolls as if it had no window', () => {
  const decision = later(
    { annotations: { [A]: 'true', [WINDOW]: 'Mon 25:00-26:00 UTC' } },
    config('cm', { a: '1' }),
    config('cm', { a: '2' }),
    { ...settings, maintenanceWindows: parsedWindows('Sat 00:00-06:00') },
  );
  assertKind(decision, 'roll');
  assert.equal(decision.findings.invalid.length, 1);
  assert.equal(decision.findings.invalid[0]?.annotation, WINDOW);
  assert.match(decision.findings.invalid[0].error, /time range "25:00-26:00".*treated as no window/);
});

test('a frozen workload is held also inside its window, and the freeze wins over the window', () => {
  const decision = later(
    { annotations: { [A]: 'true', [FREEZE]: 'true', [WINDOW]: 'Daily 00:00-24:00' } },
    config('cm', { a: '1' }),
    config('cm', { a: '2' }),
  );
  assertKind(decision, 'hold');
  assert.equal(decision.reason.why, 'freeze');
});

/** What the Namespace `ns` of the test workloads says about holds. */
function namespaceSays(frozen: boolean, windows?: string): NamespaceHolds {
  return { name: 'ns', frozen, windows: windows === undefined ? undefined : parsedWindows(windows) };
}

/** The decision for a workload adopted with `before` and looked at again with `after`, in a Namespace that says `holds`. */
function laterIn(holds: NamespaceHolds, shape: Shape, before: Configs, after: Configs, s = settings): Decision {
  const current = { ...view(after), namespace: holds };
  return decide(workload({ ...shape, record: recorded(shape, before, s) }), current, s, NOW);
}

test('How it decides: a Namespace annotated mini-reloader.pelabs/freeze "true" holds the rolls of every workload in it, and its workloads cannot lift it', () => {
  const frozen = namespaceSays(true);
  const plain = laterIn(frozen, {}, config('cm', { a: '1' }), config('cm', { a: '2' }));
  assertKind(plain, 'hold');
  assert.deepEqual(plain.reason, { why: 'freeze', namespace: 'ns' });
  assert.equal(plain.until, undefined, 'only lifting the freeze ends it');
  assertKind(plain.held, 'roll');
  const unfrozen = { annotations: { [A]: 'true', [FREEZE]: 'false', [WINDOW]: 'Daily 00:00-24:00' } };
  const own = laterIn(frozen, unfrozen, config('cm', { a: '1' }), config('cm', { a: '2' }));
  assertKind(own, 'hold', 'the workload saying "false" or opening its window does not lift it');
  assert.deepEqual(own.reason, { why: 'freeze', namespace: 'ns' });
  const both = { annotations: { [A]: 'true', [FREEZE]: 'true' } };
  const twice = laterIn(frozen, both, config('cm', { a: '1' }), config('cm', { a: '2' }));
  assertKind(twice, 'hold');
  assert.deepEqual(
    twice.reason,
    { why: 'freeze', namespace: 'ns' },
    'named after the Namespace, which outlasts its own',
  );
  assertKind(laterIn(frozen, {}, config('cm', { a: '1' }), config('cm', { a: '1' })), 'skip');
  // The record stays as it was, so lifting the Namespace's freeze rolls once with the newest data.
  const lifted = laterIn(namespaceSays(false), {}, config('cm', { a: '1' }), config('cm', { a: '3' }));
  assertKind(lifted, 'roll');
  assert.deepEqual(lifted.changed, ['ConfigMap/cm']);
});

test("How it decides: a workload without a window of its own rolls in its Namespace's maintenance windows, which take the place of --maintenance-window", () => {
  // NOW is Monday 2026-11-23 10:00 UTC.
  const flagged = { ...settings, maintenanceWindows: parsedWindows('Daily 00:00-24:00') };
  const windowed = namespaceSays(false, 'Mon 12:00-13:00 UTC');
  const held = laterIn(windowed, {}, config('cm', { a: '1' }), config('cm', { a: '2' }), flagged);
  assertKind(held, 'hold');
  assert.deepEqual(held.reason, { why: 'maintenance-window', namespace: 'ns' });
  assert.equal(held.until, Date.parse('2026-11-23T12:00:00Z'));
  const own = { annotations: { [A]: 'true', [WINDOW]: 'Mon 09:00-11:00 UTC' } };
  assertKind(laterIn(windowed, own, config('cm', { a: '1' }), config('cm', { a: '2' })), 'roll', 'its own window wins');
  const ownClosed = { annotations: { [A]: 'true', [WINDOW]: 'Tue 09:00-11:00 UTC' } };
  const closed = laterIn(
    namespaceSays(false, 'Daily 00:00-24:00'),
    ownClosed,
    config('cm', { a: '1' }),
    config('cm', { a: '2' }),
  );
  assertKind(closed, 'hold');
  assert.deepEqual(closed.reason, { why: 'maintenance-window' }, "the workload's own window, not the Namespace's");
  const saturdays = { ...settings, maintenanceWindows: parsedWindows('Sat 00:00-06:00') };
  const none = laterIn(namespaceSays(false), {}, config('cm', { a: '1' }), config('cm', { a: '2' }), saturdays);
  assertKind(none, 'hold', 'a Namespace without a window leaves --maintenance-window in force');
  assert.deepEqual(none.reason, { why: 'maintenance-window' });
  const typo = laterIn(namespaceSays(false, ''), {}, config('cm', { a: '1' }), config('cm', { a: '2' }), saturdays);
  assertKind(typo, 'roll', 'a Namespace window that did not parse (empty, as its cache hands it on) means any time');
});

function parsedWindows(text: string): readonly MaintenanceWindow[] {
  const parsed = parseMaintenanceWindows(text);
  assert.ok(parsed.ok);
  return parsed.windows;
}

test('How it decides: a workload rolled --max-rolls-per-workload times within --roll-loop-window is held as a restart loop, and rolls once with the newest data when the window has passed since its last roll', () => {
  const s = { ...settings, rollLoop: { maxRolls: 3, windowMs: 600_000 } };
  const rolledAt = [NOW - 300_000, NOW - 200_000, NOW - 100_000];
  const shape = { rolledAt };
  const record = recorded(shape, config('cm', { a: '1' }), s);
  const held = decide(workload({ ...shape, record }), view(config('cm', { a: '2' })), s, NOW);
  assertKind(held, 'hold');
  assert.deepEqual(held.reason, { why: 'roll-loop', rolls: 3, windowMs: 600_000 });
  assert.equal(held.until, NOW - 100_000 + 600_000);
  assertKind(held.held, 'roll');
  assert.deepEqual(held.held.changed, ['ConfigMap/cm']);

  const after = decide(workload({ ...shape, record }), view(config('cm', { a: '3' })), s, NOW + 500_000);
  assertKind(after, 'roll');
  assert.deepEqual(after.rolledAt, [...rolledAt, NOW + 500_000]);
  assertKind(
    decide(workload({ ...shape, record }), view(config('cm', { a: '1' })), s, NOW),
    'skip',
    'nothing to roll: no hold',
  );
});
