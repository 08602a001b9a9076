import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigRecord } from '../../../src/model/config-record.ts';
import { referenceKey } from '../../../src/model/config-id.ts';
import { FirstSight } from '../../../src/reload/first-sight.ts';

const record = (data: string): ConfigRecord => ({
  version: 2,
  entries: new Map([[referenceKey('ConfigMap', 'cm'), `*.${data}`]]),
});

test('the first record held for a workload stays until dropped; later ones are ignored', () => {
  const sight = new FirstSight(10);
  assert.deepEqual(sight.hold('k', 'u1', record('first')), { record: record('first') });
  assert.deepEqual(sight.hold('k', 'u1', record('later')).record, record('first'));
  assert.equal(sight.has('k', 'u1'), true);
  sight.drop('k');
  assert.equal(sight.has('k', 'u1'), false);
  assert.deepEqual(sight.hold('k', 'u1', record('after')).record, record('after'));
});

test('a workload created again under the same name (another uid) is a new workload', () => {
  const sight = new FirstSight(10);
  sight.hold('k', 'u1', record('old'));
  assert.deepEqual(sight.hold('k', 'u2', record('new')).record, record('new'));
  assert.equal(sight.has('k', 'u1'), false);
  assert.equal(sight.size, 1);
});

test('it holds at most its limit: the oldest is dropped and named', () => {
  const sight = new FirstSight(2);
  sight.hold('a', 'u', record('a'));
  sight.hold('b', 'u', record('b'));
  assert.equal(sight.hold('c', 'u', record('c')).dropped, 'a');
  assert.equal(sight.size, 2);
  assert.equal(sight.has('a', 'u'), false);
  assert.equal(sight.has('b', 'u') && sight.has('c', 'u'), true);
});
