import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import type { ReflectorHandlers } from '../../../src/kube/reflector-types.ts';
import { notingCreation, notingFacts, type WorkloadFacts } from '../../../src/explain/workload-facts.ts';
import { workloadKey, type WorkloadKey } from '../../../src/model/workload-key.ts';

const RECORD = 'mini-reloader.pelabs/config-record';

function recording(): { handlers: ReflectorHandlers; upserted: string[] } {
  const upserted: string[] = [];
  return {
    upserted,
    handlers: {
      listStarted: () => undefined,
      upsert: (obj) => {
        upserted.push(obj.metadata.name);
      },
      remove: () => undefined,
      listFinished: () => undefined,
    },
  };
}

const ownsRecord = { 'f:metadata': { 'f:annotations': { [`f:${RECORD}`]: {} } } };

function cronJob(managedFields: unknown): KubeObject {
  return {
    metadata: { name: 'nightly', namespace: 'ns', managedFields },
    spec: {
      jobTemplate: {
        spec: { template: { spec: { containers: [{ name: 'job', envFrom: [{ secretRef: { name: 'db' } }] }] } } },
      },
    },
  };
}

test("a workload's facts: the uses of its kind's pod template, and the newest time an entry owning the record annotation was written", () => {
  const { handlers, upserted } = recording();
  const facts = new Map<WorkloadKey, WorkloadFacts>();
  const noting = notingFacts('CronJob', handlers, RECORD, facts);
  noting.upsert(
    cronJob([
      { manager: 'mini-reloader', time: '2026-12-01T10:00:00Z', fieldsV1: ownsRecord },
      { manager: 'mini-reloader', operation: 'Update', time: '2026-12-01T11:00:00Z', fieldsV1: ownsRecord },
      { manager: 'kubectl-edit', time: '2026-12-01T12:00:00Z', fieldsV1: { 'f:spec': {} } },
      { manager: 'odd', time: 'not a time', fieldsV1: ownsRecord },
    ]),
  );
  assert.deepEqual(upserted, ['nightly'], 'the cache still gets every object');
  const got = facts.get(workloadKey('CronJob', 'ns', 'nightly'));
  assert.ok(got !== undefined);
  assert.equal(got.recordWrittenAt, Date.parse('2026-12-01T11:00:00Z'));
  assert.deepEqual(
    got.uses.map((u) => [u.kind, u.name, u.via, u.container]),
    [['Secret', 'db', 'envFrom', 'job']],
  );
  noting.upsert(cronJob('not a list'));
  assert.equal(facts.get(workloadKey('CronJob', 'ns', 'nightly'))?.recordWrittenAt, undefined, 'no record written');
});

test("a config's creation time is noted by name; one without a readable time is left out", () => {
  const { handlers, upserted } = recording();
  const created = new Map<string, number>();
  const noting = notingCreation(handlers, created);
  noting.upsert({ metadata: { name: 'app', creationTimestamp: '2026-12-01T10:00:00Z' } });
  noting.upsert({ metadata: { name: 'odd', creationTimestamp: 7 } });
  assert.deepEqual(upserted, ['app', 'odd']);
  assert.deepEqual([...created], [['app', Date.parse('2026-12-01T10:00:00Z')]]);
});
