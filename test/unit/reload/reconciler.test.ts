import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunOptions } from '../../../src/options.ts';
import { controllerSettings } from '../../../src/run-settings.ts';
import pino from 'pino';
import { ConfigCache } from '../../../src/config/config-cache.ts';
import { Reconciler } from '../../../src/reload/reconciler.ts';
import type { OptInSettings } from '../../../src/reload/opt-in.ts';
import { WorkloadCache } from '../../../src/workload/workload-cache.ts';

/** The shipped defaults, so these tests exercise the annotation names users get. */
const settings: OptInSettings = controllerSettings(parseRunOptions([], {})).optIn;
const HASH = 'mini-reloader.pelabs/config-hash';
const BASELINE = `${HASH}-baseline`;

function setup(dryRun = false) {
  const writes: string[] = [];
  const events: string[] = [];
  const configs = new ConfigCache({ enabledLabel: 'mini-reloader.pelabs/enabled', ignoreAnnotation: 'reloader.stakater.com/ignore', matchAnnotation: 'reloader.stakater.com/match', onChange: () => undefined, onInvalid: () => undefined });
  const workloads = new WorkloadCache({ steeringAnnotations: new Set([settings.autoAnnotation]), hashAnnotation: HASH, baselineAnnotation: BASELINE, namedListAnnotations: { ConfigMap: settings.configMapReloadAnnotation, Secret: settings.secretReloadAnnotation }, onChange: () => undefined });
  let rollFails: Error | undefined;
  const reconciler = new Reconciler({
    workloads, configs, settings, dryRun,
    logger: pino({ level: 'silent' }),
    rollLimiter: { take: () => Promise.resolve() },
    events: { record: (s, type, reason, message) => { events.push(`${type} ${reason} ${s.kind}/${s.name}: ${message}`); } },
    writer: {
      adopt: (w, hash) => { writes.push(`adopt ${w.name} ${hash}`); return Promise.resolve(); },
      roll: (w, hash) => {
        if (rollFails !== undefined) return Promise.reject(rollFails);
        writes.push(`roll ${w.name} ${hash}`);
        return Promise.resolve();
      },
    },
  });
  const putConfig = (data: Record<string, string>, name = 'cm'): void => { configs.handlers('ConfigMap').upsert({ metadata: { name, namespace: 'ns' }, data }); };
  const removeConfig = (name: string): void => { configs.handlers('ConfigMap').remove({ metadata: { name, namespace: 'ns' } }); };
  const putWorkload = (marks: { template?: string; baseline?: string } = {}, envFrom: unknown[] = [{ configMapRef: { name: 'cm' } }]): void => {
    workloads.handlers('Deployment').upsert({
      metadata: { name: 'web', namespace: 'ns', uid: 'u', resourceVersion: '7', annotations: { [settings.autoAnnotation]: 'true', ...(marks.baseline === undefined ? {} : { [BASELINE]: marks.baseline }) } },
      spec: { template: { metadata: { annotations: marks.template === undefined ? {} : { [HASH]: marks.template } }, spec: { containers: [{ name: 'app', envFrom }] } } },
    });
  };
  return { reconciler, writes, events, putConfig, removeConfig, putWorkload, failRolls: (err: Error) => { rollFails = err; } };
}

const KEY = 'Deployment/ns/web';

test('a workload seen for the first time is adopted without a roll', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  assert.equal(await s.reconciler.reconcile(KEY), 'adopted');
  assert.equal(s.writes.length, 1);
  assert.match(s.writes[0] ?? '', /^adopt web [0-9a-f]{64}$/);
  assert.deepEqual(s.events, []);
});

test('the same hash means no write; a content change rolls once with an event naming the cause', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload();
  await s.reconciler.reconcile(KEY);
  const adopted = (s.writes[0] ?? '').split(' ')[2] ?? '';
  s.putWorkload({ baseline: adopted });
  assert.equal(await s.reconciler.reconcile(KEY), 'unchanged');
  assert.equal(s.writes.length, 1);

  s.putConfig({ a: '2' });
  assert.equal(await s.reconciler.reconcile(KEY, ['ConfigMap/cm']), 'rolled');
  const rolled = (s.writes[1] ?? '').split(' ')[2] ?? '';
  assert.notEqual(rolled, adopted);
  assert.match(s.events[0] ?? '', /^Normal Reloaded Deployment\/web: ConfigMap\/cm changed/);

  s.putWorkload({ template: rolled });
  assert.equal(await s.reconciler.reconcile(KEY), 'unchanged', 'the template hash is what the pods were rolled with');
});

test('dry run writes nothing, and says what it would do', async () => {
  const s = setup(true);
  s.putConfig({ a: '2' });
  s.putWorkload({ template: 'f'.repeat(64) });
  assert.equal(await s.reconciler.reconcile(KEY), 'dry_run');
  assert.deepEqual(s.writes, []);
  assert.match(s.events[0] ?? '', /WouldReload.*would roll/);
});

test('a missing required config holds the roll back; a missing optional one does not', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload({ template: 'f'.repeat(64) });
  s.removeConfig('cm');
  assert.equal(await s.reconciler.reconcile(KEY), 'skipped');
  assert.deepEqual(s.writes, []);

  s.putWorkload({ template: 'f'.repeat(64) }, [{ configMapRef: { name: 'cm', optional: true } }]);
  assert.equal(await s.reconciler.reconcile(KEY), 'rolled');
});

test('a failed write propagates to the caller, which retries', async () => {
  const s = setup();
  s.putConfig({ a: '1' });
  s.putWorkload({ template: 'f'.repeat(64) });
  s.failRolls(new Error('conflict'));
  await assert.rejects(s.reconciler.reconcile(KEY), /conflict/);
});

test('a workload that is gone is nothing to do', async () => {
  assert.equal(await setup().reconciler.reconcile('Deployment/ns/nope'), 'gone');
});
