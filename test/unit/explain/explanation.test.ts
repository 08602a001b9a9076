import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ConfigEntry } from '../../../src/config/config-cache.ts';
import { explainForConfig, explainWorkload, type ExplainContext } from '../../../src/explain/explanation.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { decide } from '../../../src/reload/decide.ts';
import { NameListCompiler } from '../../../src/reload/name-list.ts';
import { controllerSettings } from '../../../src/run-settings.ts';
import type { ConfigKind } from '../../../src/model/config-kind.ts';
import type { ConfigReference } from '../../../src/workload/config-reference.ts';
import { podConfigUses, podReferences } from '../../../src/workload/pod-references.ts';
import type { WorkloadRecord } from '../../../src/workload/workload-cache.ts';

const nameLists = new NameListCompiler();
before(async () => {
  await nameLists.load();
});

const AUTO = 'reloader.stakater.com/auto';

function entry(
  digests: Record<string, string>,
  marks: Partial<Pick<ConfigEntry, 'enabled' | 'ignored' | 'match'>> = {},
): ConfigEntry {
  return {
    digests: new Map(Object.entries(digests)),
    uid: 'uid-1',
    enabled: false,
    ignored: false,
    match: false,
    ...marks,
  };
}

/** The explanation context for run flags `flags` over these configs of one namespace. */
function context(
  configs: Partial<Record<`${ConfigKind}/${string}`, ConfigEntry>>,
  flags: string[] = [],
  scope: ExplainContext['scope'] = { inScope: true },
  read: Partial<Pick<ExplainContext, 'facts' | 'createdAt'>> = {},
): ExplainContext {
  const settings = controllerSettings(parseRunOptions(flags, {}));
  const get = (kind: ConfigKind, name: string): ConfigEntry | undefined => configs[`${kind}/${name}`];
  return {
    view: {
      get,
      names: (kind) =>
        Object.keys(configs)
          .filter((k) => k.startsWith(`${kind}/`))
          .map((k) => k.slice(kind.length + 1)),
      formerUid: () => undefined,
    },
    settings: { ...settings.reconcile, nameLists },
    now: Date.parse('2026-12-01T12:00:00Z'),
    scope,
    ignoredWorkloadKinds: settings.ignoredWorkloadKinds,
    enabledLabel: settings.enabledLabel,
    facts: () => ({ uses: [], recordWrittenAt: undefined }),
    createdAt: () => undefined,
    ...read,
  };
}

const all = (kind: ConfigKind, name: string): ConfigReference => ({
  kind,
  name,
  keys: 'all',
  optional: false,
  containers: ['app'],
});

function workload(
  annotations: Record<string, string>,
  references: ConfigReference[] = [all('ConfigMap', 'app')],
  kind: WorkloadRecord['kind'] = 'Deployment',
): WorkloadRecord {
  return {
    kind,
    namespace: 'ns',
    name: 'web',
    uid: 'w-1',
    resourceVersion: '1',
    annotations,
    templateAnnotations: {},
    references,
    containers: ['app'],
    record: undefined,
    paused: false,
    pausedAt: undefined,
    rolledAt: [],
    suspended: false,
    controllerKind: undefined,
  };
}

/** The workload as the controller leaves it after adopting it: its record matches the data of now. */
function adopted(w: WorkloadRecord, ctx: ExplainContext): WorkloadRecord {
  const decision = decide(w, ctx.view, ctx.settings, ctx.now);
  if (decision.kind !== 'adopt') throw new Error(`expected an adoption, got ${decision.kind}`);
  return { ...w, record: decision.record };
}

const APP = { kind: 'ConfigMap', name: 'app' } as const;

/** The contract fields about ConfigMap/app, with --key when given. */
function about(w: WorkloadRecord, ctx: ExplainContext, key?: string) {
  const e = explainForConfig(w, ctx, { ...APP, key });
  assert.ok(e !== undefined);
  return {
    follows: e.follows,
    rule: e.rule,
    reason: e.reason,
    visibleKeys: e.visibleKeys,
    ...(key === undefined ? {} : { wouldRoll: e.wouldRoll }),
  };
}

test('a named list comes first in the decision order, for a referenced config and for one only the list names', () => {
  const ctx = context({ 'ConfigMap/app': entry({ A: '1' }), 'ConfigMap/other-config': entry({ B: '1' }) });
  const w = workload({ 'configmap.reloader.stakater.com/reload': 'app,other-.*' });
  assert.deepEqual(about(w, ctx), { follows: true, rule: 'named-list', reason: null, visibleKeys: ['*'] });
  const named = explainForConfig(w, ctx, { kind: 'ConfigMap', name: 'other-config' });
  assert.deepEqual([named?.follows, named?.rule, named?.visibleKeys], [true, 'named-list', ['*']]);
  assert.equal(
    explainForConfig(w, ctx, { kind: 'ConfigMap', name: 'unrelated' }),
    undefined,
    'neither referenced nor named: not listed',
  );
});

test('auto "false" beats a named list: the workload opts out', () => {
  const ctx = context({ 'ConfigMap/app': entry({ A: '1' }, { enabled: true }) });
  const w = workload({ 'configmap.reloader.stakater.com/reload': 'app', [AUTO]: 'false' });
  assert.deepEqual(about(w, ctx), {
    follows: false,
    rule: null,
    reason: 'reloader.stakater.com/auto is "false"',
    visibleKeys: ['*'],
  });
});

test('search mode follows only configs with the match annotation, and wins over auto', () => {
  const w = workload({ 'reloader.stakater.com/search': 'true', [AUTO]: 'true' });
  assert.equal(about(w, context({ 'ConfigMap/app': entry({ A: '1' }, { match: true }) })).rule, 'search-match');
  const unmatched = about(w, context({ 'ConfigMap/app': entry({ A: '1' }) }));
  assert.equal(unmatched.follows, false);
  assert.match(
    unmatched.reason ?? '',
    /search mode \(reloader\.stakater\.com\/search\) and the ConfigMap lacks reloader\.stakater\.com\/match "true"/,
  );
});

test('auto, typed auto, --auto-reload-all and the enabled label each name their rule; a typed auto of the other kind does not count', () => {
  const plain = context({ 'ConfigMap/app': entry({ A: '1' }) });
  assert.equal(about(workload({ [AUTO]: 'true' }), plain).rule, 'auto');
  assert.equal(about(workload({ 'configmap.reloader.stakater.com/auto': 'true' }), plain).rule, 'typed-auto');
  const other = about(workload({ 'secret.reloader.stakater.com/auto': 'true' }), plain);
  assert.equal(other.follows, false);
  assert.match(other.reason ?? '', /^not opted in/);
  assert.equal(
    about(workload({}), context({ 'ConfigMap/app': entry({ A: '1' }) }, ['--auto-reload-all'])).rule,
    'auto-reload-all',
  );
  assert.equal(
    about(workload({}), context({ 'ConfigMap/app': entry({ A: '1' }, { enabled: true }) })).rule,
    'enabled-label',
  );
  const custom = about(
    workload({}),
    context({ 'ConfigMap/app': entry({ A: '1' }) }, ['--enabled-label=example.com/follow']),
  );
  assert.match(
    custom.reason ?? '',
    /no example\.com\/follow label/,
    'the reason names the label the controller runs with',
  );
});

test('--auto-reload-all does not override auto "false"', () => {
  const explained = about(
    workload({ [AUTO]: 'false' }),
    context({ 'ConfigMap/app': entry({ A: '1' }) }, ['--auto-reload-all']),
  );
  assert.equal(explained.follows, false);
});

test('an exclude list beats auto and a named list; the ignore annotation and --resources-to-ignore beat everything', () => {
  const excluded = about(
    workload({
      [AUTO]: 'true',
      'configmap.reloader.stakater.com/reload': 'app',
      'configmaps.exclude.reloader.stakater.com/reload': 'app',
    }),
    context({ 'ConfigMap/app': entry({ A: '1' }) }),
  );
  assert.equal(excluded.follows, false);
  assert.match(
    excluded.reason ?? '',
    /excluded by the workload's configmaps\.exclude\.reloader\.stakater\.com\/reload/,
  );
  const ignored = about(
    workload({ [AUTO]: 'true' }),
    context({ 'ConfigMap/app': entry({ A: '1' }, { ignored: true, enabled: true }) }),
  );
  assert.match(ignored.reason ?? '', /carries reloader\.stakater\.com\/ignore "true"/);
  const kind = about(workload({ [AUTO]: 'true' }), context({}, ['--resources-to-ignore=configMaps']));
  assert.match(kind.reason ?? '', /ConfigMaps are ignored \(--resources-to-ignore\)/);
});

test('a namespace outside the scope and an ignored workload type follow nothing, whatever they say', () => {
  const ctx = context({ 'ConfigMap/app': entry({ A: '1' }) }, [], {
    inScope: false,
    reason: 'namespace ns does not match --namespace-selector team=a',
  });
  assert.deepEqual(about(workload({ [AUTO]: 'true' }), ctx, 'A'), {
    follows: false,
    rule: null,
    reason: 'namespace ns does not match --namespace-selector team=a',
    visibleKeys: ['*'],
    wouldRoll: false,
  });
  const jobs = context({ 'ConfigMap/app': entry({ A: '1' }) }, ['--ignored-workload-types=jobs,cronjobs']);
  assert.match(
    about(workload({ [AUTO]: 'true' }, undefined, 'CronJob'), jobs).reason ?? '',
    /CronJobs are ignored \(--ignored-workload-types\)/,
  );
});

test('a Job follows only with an annotation of its own, and a Job a CronJob runs never does', () => {
  const ctx = context({ 'ConfigMap/app': entry({ A: '1' }, { enabled: true }) });
  assert.match(about(workload({}, undefined, 'Job'), ctx).reason ?? '', /opts in with an annotation of its own/);
  assert.match(
    about({ ...workload({ [AUTO]: 'true' }, undefined, 'Job'), controllerKind: 'CronJob' }, ctx).reason ?? '',
    /the CronJob is rolled instead/,
  );
});

test('--key: a change rolls a workload that sees the key, not one whose references list other keys; adding a key rolls one that sees all', () => {
  const ctx = context({ 'ConfigMap/app': entry({ LOG_LEVEL: '1', FEATURE_X: '1' }) });
  const whole = adopted(workload({ [AUTO]: 'true' }), ctx);
  const keyed = adopted(workload({ [AUTO]: 'true' }, [{ ...all('ConfigMap', 'app'), keys: ['FEATURE_X'] }]), ctx);
  assert.equal(about(whole, ctx, 'LOG_LEVEL').wouldRoll, true);
  assert.deepEqual(about(keyed, ctx, 'LOG_LEVEL'), {
    follows: true,
    rule: 'auto',
    reason: null,
    visibleKeys: ['FEATURE_X'],
    wouldRoll: false,
  });
  assert.equal(about(keyed, ctx, 'FEATURE_X').wouldRoll, true);
  assert.equal(about(whole, ctx, 'NEW_KEY').wouldRoll, true);
  const two = context({ 'ConfigMap/app': entry({ A: '1' }), 'ConfigMap/other': entry({ A: '1' }) });
  const excluding = adopted(
    workload({ [AUTO]: 'true', 'configmaps.exclude.reloader.stakater.com/reload': 'app' }, [
      all('ConfigMap', 'app'),
      all('ConfigMap', 'other'),
    ]),
    two,
  );
  assert.equal(about(excluding, two, 'A').wouldRoll, false, 'excluded: no roll, though it follows another config');
});

test('--key: a workload held by a missing config it needs would not roll', () => {
  const before = context({ 'ConfigMap/app': entry({ A: '1' }), 'Secret/db': entry({ P: '1' }) });
  const w = adopted(workload({ [AUTO]: 'true' }, [all('ConfigMap', 'app'), all('Secret', 'db')]), before);
  const now = context({ 'ConfigMap/app': entry({ A: '1' }) });
  assert.equal(about(w, now, 'A').wouldRoll, false);
  assert.equal(explainWorkload(w, now).configs.find((c) => c.kind === 'Secret')?.state, 'missing');
});

test('explain of a workload sums up its configs: each one its rule or reason, state and change against the record', () => {
  const was = context({ 'ConfigMap/app': entry({ A: '1' }), 'Secret/db': entry({ P: '1' }) });
  const w = adopted(
    workload({ 'secret.reloader.stakater.com/auto': 'true' }, [
      all('ConfigMap', 'app'),
      { ...all('Secret', 'db'), keys: ['P'] },
      { ...all('ConfigMap', 'absent'), optional: true },
    ]),
    was,
  );
  const now = context({ 'ConfigMap/app': entry({ A: '2' }), 'Secret/db': entry({ P: '2' }) });
  const explained = explainWorkload(w, now, 'P');
  assert.deepEqual(
    [explained.follows, explained.rule, explained.visibleKeys, explained.wouldRoll, explained.decision],
    [true, 'typed-auto', ['P'], true, 'roll'],
  );
  assert.match(explained.status, /changed since its last roll \(Secret\/db\)/);
  const byId = new Map(explained.configs.map((c) => [`${c.kind}/${c.name}`, c]));
  assert.deepEqual([byId.get('Secret/db')?.change, byId.get('Secret/db')?.state], ['changed', 'present']);
  assert.deepEqual(
    [byId.get('ConfigMap/app')?.follows, byId.get('ConfigMap/absent')?.state],
    [false, 'missing, optional'],
  );
  const upToDate = explainWorkload(adopted(workload({ [AUTO]: 'true' }), now), now);
  assert.match(upToDate.status, /^up to date/);
  const none = explainWorkload(workload({ [AUTO]: 'false' }), now);
  assert.deepEqual([none.follows, none.rule, none.reason], [false, null, 'reloader.stakater.com/auto is "false"']);
});

test('explain of a workload held as a restart loop says how often it rolled, within what, and until when it waits', () => {
  const was = context({ 'ConfigMap/app': entry({ A: '1' }) });
  const now = Date.parse('2026-12-01T12:00:00Z');
  const rolledAt = [now - 180_000, now - 120_000, now - 60_000];
  const w = { ...adopted(workload({ [AUTO]: 'true' }), was), rolledAt };
  const changed = context({ 'ConfigMap/app': entry({ A: '2' }) }, ['--max-rolls-per-workload=3']);
  const explained = explainWorkload(w, changed);
  assert.equal(explained.decision, 'hold');
  assert.equal(
    explained.status,
    'held as a restart loop: rolled 3 times within 10m; it rolls once with the newest data at 2026-12-01T12:09:00.000Z',
  );
});

test('each config of a workload lists its uses by the pod template: which container, init or not, and how', () => {
  const spec = {
    initContainers: [{ name: 'migrate', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'P' } } }] }],
    containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'app' } }], volumeMounts: [{ name: 'cfg' }] }],
    volumes: [
      { name: 'cfg', projected: { sources: [{ configMap: { name: 'app', items: [{ key: 'A', path: 'a' }] } }] } },
    ],
  };
  const ctx = context({ 'ConfigMap/app': entry({ A: '1' }), 'Secret/db': entry({ P: '1' }) }, [], undefined, {
    facts: () => ({ uses: podConfigUses(spec), recordWrittenAt: undefined }),
  });
  const w = workload({ [AUTO]: 'true' }, podReferences(spec));
  const byId = new Map(explainWorkload(w, ctx).configs.map((c) => [`${c.kind}/${c.name}`, c.uses]));
  assert.deepEqual(byId.get('ConfigMap/app'), [
    { container: 'app', init: false, via: 'envFrom', optional: false },
    { container: 'app', init: false, via: 'projected', volume: 'cfg', items: ['A'], optional: false },
  ]);
  assert.deepEqual(byId.get('Secret/db'), [
    { container: 'migrate', init: true, via: 'env', key: 'P', optional: false },
  ]);
  assert.deepEqual(explainForConfig(w, ctx, { kind: 'Secret', name: 'db' })?.configs[0]?.uses, byId.get('Secret/db'));
});

test('a changed config created after the record was written is noted: explain cannot know whether the controller saw it recreated', () => {
  const was = context({ 'ConfigMap/app': entry({ A: '1' }) });
  const w = adopted(workload({ [AUTO]: 'true' }), was);
  const recreated = { ...entry({ A: '1' }), uid: 'uid-2' };
  const at = (created: string) =>
    context({ 'ConfigMap/app': recreated }, [], undefined, {
      facts: () => ({ uses: [], recordWrittenAt: Date.parse('2026-12-01T10:00:00Z') }),
      createdAt: () => Date.parse(created),
    });
  const after = explainWorkload(w, at('2026-12-01T11:00:00Z')).configs[0];
  assert.deepEqual([after?.change, explainWorkload(w, at('2026-12-01T11:00:00Z')).decision], ['changed', 'roll']);
  assert.match(after?.note ?? '', /ConfigMap\/app was created again \(2026-12-01T11:00:00Z\) after the record/);
  assert.equal(explainWorkload(w, at('2026-12-01T09:00:00Z')).configs[0]?.note, null, 'created before the record');
  assert.equal(explainWorkload(w, was).configs[0]?.note, null, 'unchanged');
});

test("explain of a workload in a frozen Namespace, or outside its Namespace's window, says it is held and by which Namespace", () => {
  const was = context({ 'ConfigMap/app': entry({ A: '1' }) });
  const w = adopted(workload({ [AUTO]: 'true' }), was);
  const now = context({ 'ConfigMap/app': entry({ A: '2' }) });
  const frozen = explainWorkload(w, {
    ...now,
    view: { ...now.view, namespace: { name: 'ns', frozen: true, windows: undefined } },
  });
  assert.equal(frozen.decision, 'hold');
  assert.match(
    frozen.status,
    /^held while Namespace ns is frozen; it rolls once with the newest data when the freeze is lifted$/,
  );
  // 2026-12-01 12:00 UTC is a Tuesday; the Namespace's window opens on Saturday.
  const windows = [{ days: new Set([6]), start: 0, end: 360, timeZone: 'UTC' }];
  const outside = explainWorkload(w, {
    ...now,
    view: { ...now.view, namespace: { name: 'ns', frozen: false, windows } },
  });
  assert.match(
    outside.status,
    /^held outside the maintenance window of Namespace ns; the next window opens at 2026-12-05T00:00:00.000Z$/,
  );
});
