import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceKey } from '../../../src/model/config-id.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { controllerSettings } from '../../../src/run-settings.ts';
import type { ConfigEntry } from '../../../src/config/config-cache.ts';
import {
  MAX_ENTRY_LENGTH,
  MAX_LIST_ENTRIES,
  MAX_LIST_LENGTH,
  NameListCompiler,
} from '../../../src/reload/name-list.ts';
import { decideOptIn, type OptInResult, type OptInSettings } from '../../../src/reload/opt-in.ts';
import type { ConfigKind } from '../../../src/model/config-kind.ts';
import type { ConfigReference } from '../../../src/workload/config-reference.ts';
import type { WorkloadRecord } from '../../../src/workload/workload-cache.ts';

/** The shipped defaults, so these tests exercise the annotation names users get. */
const settings: OptInSettings = controllerSettings(parseRunOptions([], {})).reconcile.optIn;

const nameLists = new NameListCompiler();
await nameLists.load();

const ref = (kind: ConfigKind, name: string): ConfigReference => ({
  kind,
  name,
  keys: 'all',
  optional: false,
  containers: ['app'],
});
const entry = (flags: Partial<Omit<ConfigEntry, 'digests'>> = {}): ConfigEntry => ({
  digests: new Map([['k', 'd']]),
  uid: 'cm-uid',
  enabled: false,
  ignored: false,
  match: false,
  ...flags,
});

function workload(
  annotations: Record<string, string>,
  templateAnnotations: Record<string, string> = {},
): WorkloadRecord {
  return {
    kind: 'Deployment',
    namespace: 'ns',
    name: 'web',
    uid: 'u',
    resourceVersion: '1',
    annotations,
    templateAnnotations,
    references: [ref('ConfigMap', 'cm'), ref('Secret', 'sec')],
    containers: ['app'],
    record: undefined,
    paused: false,
    pausedAt: undefined,
    rolledAt: [],
    suspended: false,
    controllerKind: undefined,
  };
}

function decide(
  w: WorkloadRecord,
  configs: Record<string, ConfigEntry | undefined>,
  s: OptInSettings = settings,
): OptInResult {
  return decideOptIn(
    w,
    {
      get: (kind, name) => configs[`${kind}/${name}`],
      names: (kind) =>
        Object.keys(configs)
          .filter((k) => k.startsWith(`${kind}/`) && configs[k] !== undefined)
          .map((k) => k.slice(kind.length + 1)),
    },
    s,
    nameLists,
  );
}

function countedNames(result: OptInResult): string[] {
  if (result.optedOut) assert.fail(`expected a decision, got opted out: ${result.reason}`);
  return result.counted.map((c) => `${c.ref.kind}/${c.ref.name}`);
}

test('without any opt-in nothing is followed', () => {
  assert.deepEqual(countedNames(decide(workload({}), { 'ConfigMap/cm': entry(), 'Secret/sec': entry() })), []);
});

test('the enabled label on a config opts it in for every workload that references it', () => {
  assert.deepEqual(
    countedNames(decide(workload({}), { 'ConfigMap/cm': entry({ enabled: true }), 'Secret/sec': entry() })),
    ['ConfigMap/cm'],
  );
});

test('auto "true" follows every referenced config, including a missing one', () => {
  const result = decide(workload({ 'reloader.stakater.com/auto': 'true' }), { 'ConfigMap/cm': entry() });
  assert.deepEqual(countedNames(result), ['ConfigMap/cm', 'Secret/sec']);
  assert.ok(!result.optedOut && result.counted[1]?.digests === undefined, 'the missing Secret is counted as absent');
});

test('auto "false" opts out even from labelled configs and auto-reload-all', () => {
  const result = decide(
    workload({ 'reloader.stakater.com/auto': 'false' }),
    { 'ConfigMap/cm': entry({ enabled: true }) },
    { ...settings, autoReloadAll: true },
  );
  assert.equal(result.optedOut, true);
});

test('auto-reload-all follows everything for workloads without annotations', () => {
  assert.deepEqual(
    countedNames(
      decide(workload({}), { 'ConfigMap/cm': entry(), 'Secret/sec': entry() }, { ...settings, autoReloadAll: true }),
    ),
    ['ConfigMap/cm', 'Secret/sec'],
  );
});

test('typed auto follows only its own kind', () => {
  assert.deepEqual(
    countedNames(
      decide(workload({ 'secret.reloader.stakater.com/auto': 'true' }), {
        'ConfigMap/cm': entry(),
        'Secret/sec': entry(),
      }),
    ),
    ['Secret/sec'],
  );
});

test('the ignore annotation on a config wins over auto and the label', () => {
  const result = decide(workload({ 'reloader.stakater.com/auto': 'true' }), {
    'ConfigMap/cm': entry({ ignored: true, enabled: true }),
    'Secret/sec': entry(),
  });
  assert.deepEqual(countedNames(result), ['Secret/sec']);
  assert.ok(!result.optedOut && result.skipped.some((s) => s.ref.name === 'cm' && /ignore/.test(s.reason)));
});

test('exclude lists drop named configs of their kind', () => {
  const w = workload({
    'reloader.stakater.com/auto': 'true',
    'configmaps.exclude.reloader.stakater.com/reload': 'other, cm',
  });
  assert.deepEqual(countedNames(decide(w, { 'ConfigMap/cm': entry(), 'Secret/sec': entry() })), ['Secret/sec']);
});

test('search mode follows only configs carrying the match annotation', () => {
  const w = workload({ 'reloader.stakater.com/search': 'true' });
  assert.deepEqual(
    countedNames(decide(w, { 'ConfigMap/cm': entry({ match: true }), 'Secret/sec': entry({ enabled: true }) })),
    ['ConfigMap/cm'],
  );
});

test('resources-to-ignore drops a whole kind', () => {
  const s = { ...settings, ignoredConfigKinds: new Set<ConfigKind>(['Secret']) };
  assert.deepEqual(
    countedNames(
      decide(workload({ 'reloader.stakater.com/auto': 'true' }), { 'ConfigMap/cm': entry(), 'Secret/sec': entry() }, s),
    ),
    ['ConfigMap/cm'],
  );
});

test('pod-template annotations are read only when the metadata has none of them', () => {
  const configs = { 'ConfigMap/cm': entry(), 'Secret/sec': entry() };
  assert.deepEqual(countedNames(decide(workload({}, { 'reloader.stakater.com/auto': 'true' }), configs)), [
    'ConfigMap/cm',
    'Secret/sec',
  ]);
  const metadataWins = workload(
    { 'secret.reloader.stakater.com/auto': 'true' },
    { 'reloader.stakater.com/auto': 'true' },
  );
  assert.deepEqual(countedNames(decide(metadataWins, configs)), ['Secret/sec']);
});

test('named lists follow matching configs even when the pod spec does not reference them, with anchored regexes', () => {
  const w = workload({ 'configmap.reloader.stakater.com/reload': 'app-.*, exact' });
  const configs = {
    'ConfigMap/cm': entry(),
    'ConfigMap/app-one': entry(),
    'ConfigMap/my-app-two': entry(),
    'ConfigMap/exact': entry(),
    'Secret/sec': entry(),
  };
  const result = decide(w, configs);
  assert.deepEqual(countedNames(result), ['ConfigMap/app-one', 'ConfigMap/exact']);
  assert.ok(!result.optedOut && result.counted.every((c) => c.ref.keys === 'all'));
});

test('a named entry that names a referenced config counts it, and exclude still wins', () => {
  const w = workload({
    'secret.reloader.stakater.com/reload': 'sec',
    'secrets.exclude.reloader.stakater.com/reload': 'sec',
  });
  assert.deepEqual(countedNames(decide(w, { 'ConfigMap/cm': entry(), 'Secret/sec': entry() })), []);
  const plain = workload({ 'secret.reloader.stakater.com/reload': 'sec' });
  assert.deepEqual(countedNames(decide(plain, { 'ConfigMap/cm': entry(), 'Secret/sec': entry() })), ['Secret/sec']);
});

test('an invalid regex in a named list is reported and skipped; valid entries still count', () => {
  const result = decide(workload({ 'configmap.reloader.stakater.com/reload': 'cm, bad[' }), {
    'ConfigMap/cm': entry(),
  });
  assert.deepEqual(countedNames(result), ['ConfigMap/cm']);
  assert.ok(!result.optedOut);
  assert.deepEqual(
    result.invalidPatterns.map((p) => p.pattern),
    ['bad['],
  );
  assert.equal(result.invalidPatterns[0]?.annotation, 'configmap.reloader.stakater.com/reload');
});

test('named lists match with RE2: catastrophic-backtracking patterns and 10,000-character names are linear', () => {
  const w = workload({ 'configmap.reloader.stakater.com/reload': '(a+)+$,web-cm,(x+x+)+y,(.*a){12}' });
  const configs: Record<string, ConfigEntry> = {
    [`ConfigMap/${'a'.repeat(40)}-x`]: entry(),
    [`ConfigMap/${'a'.repeat(40)}x`]: entry(),
    'ConfigMap/web-cm': entry(),
    [`ConfigMap/${'x'.repeat(10_000)}`]: entry(),
    [`ConfigMap/${'a'.repeat(10_000)}`]: entry(),
  };
  const short = (name: string): string => (name.length > 60 ? `${name.slice(0, 12)}…(${name.length})` : name);
  assert.deepEqual(countedNames(decide(w, configs)).map(short).sort(), ['ConfigMap/aa…(10010)', 'ConfigMap/web-cm']);
});

test('named entries keep Go semantics: each anchored whole, RE2 syntax only, no injection across entries', () => {
  const configs = { 'ConfigMap/ab': entry(), 'ConfigMap/b': entry(), 'ConfigMap/xab': entry() };
  const named = (list: string): OptInResult =>
    decide(workload({ 'configmap.reloader.stakater.com/reload': list }), configs);
  assert.deepEqual(countedNames(named('a|b')), ['ConfigMap/b'], 'an alternation is anchored as a whole');
  assert.deepEqual(countedNames(named('(?i)AB')), ['ConfigMap/ab'], 'Go flags work');
  for (const v8Only of ['(?=a)ab', '(?<=x)ab', 'a)|(b', '\\1']) {
    const result = named(v8Only);
    assert.ok(!result.optedOut);
    assert.deepEqual(result.counted, [], v8Only);
    assert.deepEqual(
      result.invalidPatterns.map((p) => p.pattern),
      [v8Only],
    );
  }
});

test('named lists are capped: a long entry is skipped, a long list is ignored whole, each reported', () => {
  const configs = { 'ConfigMap/cm': entry() };
  const named = (list: string): OptInResult =>
    decide(workload({ 'configmap.reloader.stakater.com/reload': list }), configs);
  const longEntry = 'c'.repeat(MAX_ENTRY_LENGTH + 1);
  const one = named(`cm,${longEntry}`);
  assert.deepEqual(countedNames(one), ['ConfigMap/cm']);
  assert.ok(
    !one.optedOut &&
      one.invalidPatterns[0]?.pattern === longEntry &&
      /longer than 256/.test(one.invalidPatterns[0].error),
  );
  const longest = Array.from({ length: MAX_LIST_ENTRIES - 1 }, (_, i) => `c${i}`);
  assert.deepEqual(
    countedNames(named(['cm', ...longest].join(','))),
    ['ConfigMap/cm', ...longest.map((n) => `ConfigMap/${n}`)],
    'the longest list allowed: each name followed, the missing ones too',
  );
  for (const list of [
    ['cm', ...Array.from({ length: MAX_LIST_ENTRIES }, (_, i) => `c${i}`)].join(','),
    `cm,${' '.repeat(MAX_LIST_LENGTH)}`,
  ]) {
    const result = named(list);
    assert.deepEqual(countedNames(result), []);
    assert.ok(
      !result.optedOut &&
        result.invalidPatterns.length === 1 &&
        /none of it is used/.test(result.invalidPatterns[0]?.error ?? ''),
    );
  }
});

test("booleans read as Go's strconv.ParseBool: auto, typed auto and search", () => {
  const configs = { 'ConfigMap/cm': entry({ match: true }), 'Secret/sec': entry() };
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
    assert.deepEqual(
      countedNames(decide(workload({ 'reloader.stakater.com/auto': t }), configs)),
      ['ConfigMap/cm', 'Secret/sec'],
      t,
    );
    assert.deepEqual(
      countedNames(decide(workload({ 'secret.reloader.stakater.com/auto': t }), configs)),
      ['Secret/sec'],
      t,
    );
    assert.deepEqual(
      countedNames(decide(workload({ 'reloader.stakater.com/search': t }), configs)),
      ['ConfigMap/cm'],
      t,
    );
  }
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) {
    assert.equal(
      decide(workload({ 'reloader.stakater.com/auto': f }), configs, { ...settings, autoReloadAll: true }).optedOut,
      true,
      f,
    );
  }
  for (const other of ['yes', 'tRUE', ' true', 'on', '']) {
    const result = decide(workload({ 'reloader.stakater.com/auto': other }), configs, {
      ...settings,
      autoReloadAll: true,
    });
    assert.deepEqual(
      countedNames(result),
      ['ConfigMap/cm', 'Secret/sec'],
      `${JSON.stringify(other)} is absent, not false`,
    );
    assert.ok(!result.optedOut);
    assert.deepEqual(result.notBooleans, [{ annotation: 'reloader.stakater.com/auto', value: other }]);
  }
});

test('a named list follows a config it names plainly while it is missing; a pattern, a missing one only while the record has it present', () => {
  const w = workload({ 'configmap.reloader.stakater.com/reload': 'extra, app-.*, Not_A_Name' });
  const missing = decide(w, {});
  assert.deepEqual(countedNames(missing), ['ConfigMap/extra']);
  const [extra] = missing.optedOut ? [] : missing.counted;
  assert.deepEqual(
    [extra?.digests, extra?.ref.optional, extra?.rule],
    [undefined, true, 'named-list'],
    'counted as absent, optional, by the named list',
  );
  const record = {
    version: 2 as const,
    entries: new Map([
      [referenceKey('ConfigMap', 'app-one'), '*.abc'],
      [referenceKey('ConfigMap', 'app-gone'), '*.-'],
      [referenceKey('ConfigMap', 'other'), '*.abc'],
    ]),
  };
  assert.deepEqual(countedNames(decide({ ...w, record }, {})), ['ConfigMap/extra', 'ConfigMap/app-one']);
});

test("SecretProviderClasses: a class no pod status reports is not followed yet; typed auto, exclude and named lists are Stakater's", () => {
  const mounting: WorkloadRecord = {
    ...workload({}),
    references: [ref('ConfigMap', 'cm'), ref('SecretProviderClass', 'vault')],
  };
  const csi = { ...settings, ignoredConfigKinds: new Set<ConfigKind>() };
  const typedAuto = { ...mounting, annotations: { 'secretproviderclass.reloader.stakater.com/auto': 'true' } };
  assert.deepEqual(
    countedNames(decide(typedAuto, { 'ConfigMap/cm': entry(), 'SecretProviderClass/vault': entry() }, csi)),
    ['SecretProviderClass/vault'],
  );
  const unreported = decide(typedAuto, { 'ConfigMap/cm': entry() }, csi);
  assert.deepEqual(countedNames(unreported), []);
  assert.ok(!unreported.optedOut && unreported.skipped.some((s) => s.cause === 'not-reported'));
  const excluded = {
    ...mounting,
    annotations: {
      'reloader.stakater.com/auto': 'true',
      'secretproviderclasses.exclude.reloader.stakater.com/reload': 'vault',
    },
  };
  assert.deepEqual(
    countedNames(decide(excluded, { 'ConfigMap/cm': entry(), 'SecretProviderClass/vault': entry() }, csi)),
    ['ConfigMap/cm'],
  );
  const named = { ...mounting, annotations: { 'secretproviderclass.reloader.stakater.com/reload': 'vault' } };
  assert.deepEqual(countedNames(decide(named, { 'SecretProviderClass/vault': entry() }, csi)), [
    'SecretProviderClass/vault',
  ]);
});

test('SecretProviderClasses are not followed without --enable-csi-integration', () => {
  const mounting: WorkloadRecord = {
    ...workload({ 'reloader.stakater.com/auto': 'true' }),
    references: [ref('SecretProviderClass', 'vault')],
  };
  const result = decide(mounting, { 'SecretProviderClass/vault': entry() });
  assert.deepEqual(countedNames(result), []);
  assert.ok(!result.optedOut && result.skipped.some((s) => /--enable-csi-integration/.test(s.reason)));
});
