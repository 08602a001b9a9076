import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiserverVerb,
  byVerb,
  countRequests,
  requestsBetween,
  resourceOfPath,
} from '../../../tools/bench/compare/request-counts.ts';

function metrics(
  lines: readonly [verb: string, resource: string, subresource: string, code: string, value: number][],
): string {
  return lines
    .map(
      ([verb, resource, subresource, code, value]) =>
        `apiserver_request_total{code="${code}",component="apiserver",dry_run="",group="",resource="${resource}",scope="namespace",subresource="${subresource}",verb="${verb}",version="v1"} ${value}`,
    )
    .join('\n');
}

test("countRequests sums over codes, keeps subresources apart, and leaves out kwok's node and lease heartbeats", () => {
  const counts = countRequests(
    metrics([
      ['LIST', 'configmaps', '', '200', 3],
      ['LIST', 'configmaps', '', '410', 1],
      ['PUT', 'deployments', 'status', '200', 5],
      ['PATCH', 'deployments', '', '200', 2],
      ['PUT', 'leases', '', '200', 90],
      ['PATCH', 'nodes', 'status', '200', 40],
    ]),
  );
  assert.deepEqual(
    [...counts],
    [
      ['LIST configmaps', 4],
      ['PUT deployments/status', 5],
      ['PATCH deployments', 2],
    ],
  );
});

test("requestsBetween subtracts the earlier snapshot and the benchmark's own requests, and drops what did not move", () => {
  const before = new Map([
    ['LIST configmaps', 4],
    ['PATCH configmaps', 10],
    ['GET secrets', 1],
  ]);
  const after = new Map([
    ['LIST configmaps', 6],
    ['PATCH configmaps', 70],
    ['GET secrets', 1],
    ['APPLY deployments', 50],
  ]);
  const ownBefore = new Map([['PATCH configmaps', 10]]);
  const ownAfter = new Map([['PATCH configmaps', 70]]);
  assert.deepEqual(
    [...requestsBetween(before, after, ownBefore, ownAfter)],
    [
      ['APPLY deployments', 50],
      ['LIST configmaps', 2],
    ],
  );
});

test('byVerb puts every verb other than LIST, WATCH and GET among the writes', () => {
  assert.deepEqual(
    byVerb(
      new Map([
        ['LIST configmaps', 2],
        ['WATCH secrets', 1],
        ['GET deployments', 3],
        ['PATCH deployments', 4],
        ['POST events', 5],
        ['DELETE jobs', 1],
      ]),
    ),
    { list: 2, watch: 1, get: 3, writes: 10 },
  );
});

test("apiserverVerb and resourceOfPath name a request as the API server's metric does", () => {
  assert.equal(apiserverVerb('GET', '/api/v1/namespaces/a/configmaps?limit=500'), 'LIST');
  assert.equal(apiserverVerb('GET', '/api/v1/configmaps?limit=1'), 'LIST');
  assert.equal(apiserverVerb('GET', '/apis/apps/v1/deployments?watch=true&resourceVersion=5'), 'WATCH');
  assert.equal(apiserverVerb('GET', '/api/v1/namespaces/a'), 'GET');
  assert.equal(apiserverVerb('PATCH', '/api/v1/namespaces/a/secrets/s'), 'PATCH');
  assert.equal(apiserverVerb('DELETE', '/api/v1/namespaces/a/configmaps'), 'DELETECOLLECTION');
  assert.equal(resourceOfPath('/apis/apps/v1/namespaces/a/deployments/d/status'), 'deployments/status');
  assert.equal(resourceOfPath('/api/v1/namespaces/a'), 'namespaces');
  assert.equal(resourceOfPath('/api/v1/namespaces'), 'namespaces');
  assert.equal(resourceOfPath('/metrics'), undefined);
});
