import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import { ANNOTATIONS, mapAnnotations } from '../../../src/model/annotations.ts';
import { workloadKey } from '../../../src/model/workload-key.ts';
import { RUN_FLAGS } from '../../../src/options/flags.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { NameListCompiler } from '../../../src/reload/name-list.ts';
import { decideOptIn, hasExplicitOptIn, hasNamedList, type OptInSettings } from '../../../src/reload/opt-in.ts';
import { WorkloadCache, type WorkloadRecord } from '../../../src/workload/workload-cache.ts';

/** Names unlike the defaults, so nothing passes by matching a hard-coded default. */
const names = mapAnnotations((key) => `example.com/${key}`);

/** What the workload cache keeps of a Deployment that carries every annotation of the table, and one more, on its metadata and its pod template. */
function kept(): WorkloadRecord {
  const all = { ...Object.fromEntries(Object.values(names).map((n) => [n, 'cm'])), 'example.com/unrelated': 'x' };
  const cache = new WorkloadCache({
    annotations: names,
    recordAnnotation: 'example.com/record',
    onChange: () => undefined,
  });
  const deployment: KubeObject = {
    metadata: { name: 'web', namespace: 'ns', uid: 'u', resourceVersion: '1', annotations: all },
    spec: {
      template: {
        metadata: { annotations: all },
        spec: { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'cm' } }] }] },
      },
    },
  };
  cache.handlers('Deployment').upsert(deployment);
  const record = cache.get(workloadKey('Deployment', 'ns', 'web'));
  assert.ok(record);
  return record;
}

test('every annotation the opt-in rules read on a workload is one the workload cache keeps', async () => {
  const nameLists = new NameListCompiler();
  await nameLists.load();
  const settings: OptInSettings = { annotations: names, autoReloadAll: false, ignoredConfigKinds: new Set() };
  const read = new Set<string>();
  // Records every annotation looked up, whatever its value: a rule that reads one the cache drops would never see it.
  const watched = (annotations: Record<string, string>): Record<string, string> =>
    new Proxy(annotations, {
      get: (target, name, receiver): unknown => {
        if (typeof name === 'string') read.add(name);
        return Reflect.get(target, name, receiver) as unknown;
      },
      has: (target, name): boolean => {
        if (typeof name === 'string') read.add(name);
        return Reflect.has(target, name);
      },
    });
  const record = kept();
  const every = (value: string): Record<string, string> =>
    Object.fromEntries(Object.values(names).map((n) => [n, value]));
  for (const [metadata, template] of [
    [every('true'), {}],
    [{}, every('true')],
    [every('false'), every('true')],
    [every('cm'), {}],
    [{}, {}],
  ]) {
    const workload: WorkloadRecord = {
      ...record,
      annotations: watched(metadata ?? {}),
      templateAnnotations: watched(template ?? {}),
    };
    decideOptIn(workload, { get: () => undefined, names: () => ['cm'] }, settings, nameLists);
    hasExplicitOptIn(workload, settings);
    hasNamedList(workload, settings);
  }
  assert.ok(read.has(names.auto) && read.has(names.configMapReload), 'the opt-in rules were watched');
  const dropped = [...read].filter(
    (n) => record.annotations[n] === undefined || record.templateAnnotations[n] === undefined,
  );
  assert.deepEqual(dropped, [], 'read by the opt-in rules but dropped by the workload cache');
});

test('the workload cache keeps exactly the annotations the table places on workloads, of metadata and template alike', () => {
  const record = kept();
  const onWorkloads = Object.entries(ANNOTATIONS)
    .filter(([, a]) => a.place === 'opt-in' || a.place === 'workload')
    .map(([key]) => names[key as keyof typeof names]);
  assert.deepEqual(Object.keys(record.annotations).sort(), [...onWorkloads].sort());
  assert.deepEqual(Object.keys(record.templateAnnotations).sort(), [...onWorkloads].sort());
  assert.equal(record.pausedAt, 'cm', 'the paused-at annotation the controller writes is read from the metadata');
});

test("each annotation of the table has its flag, with the table's default, and the flag sets the name", () => {
  for (const [key, a] of Object.entries(ANNOTATIONS)) {
    const spec = RUN_FLAGS.find((f) => f.flag === a.flag);
    assert.equal(spec?.default, a.default, `--${a.flag}`);
    assert.equal(
      parseRunOptions([`--${a.flag}=example.com/renamed`], {}).annotations[key as keyof typeof names],
      'example.com/renamed',
      `--${a.flag}`,
    );
  }
  assert.deepEqual(
    parseRunOptions([], {}).annotations,
    mapAnnotations((_, a) => a.default),
  );
});
