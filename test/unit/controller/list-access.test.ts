import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListAccess } from '../../../src/controller/list-access.ts';
import type { ReflectorHandlers } from '../../../src/kube/reflector-types.ts';
import { createLogger } from '../../../src/logger.ts';
import type { WorkloadKey } from '../../../src/model/workload-key.ts';

const logger = createLogger('json', 'error', { write: () => undefined });

const handlers: ReflectorHandlers = {
  upsert: () => undefined,
  remove: () => undefined,
  listStarted: () => undefined,
  listFinished: () => undefined,
};

function access(): { access: ListAccess; queued: WorkloadKey[] } {
  const queued: WorkloadKey[] = [];
  const metrics = {
    countRelist: () => undefined,
    setForbidden: () => undefined,
    countWatchRestart: () => undefined,
    countError: () => undefined,
  };
  const a = new ListAccess({
    metrics,
    logger,
    enqueue: (key) => {
      queued.push(key);
    },
  });
  return { access: a, queued };
}

/** What the reflector of `resource` reports when its list is refused (403). */
function refuse(a: ListAccess, resource: string, namespace: string | undefined): void {
  a.observer(resource, namespace).forbidden?.(new Error(`${resource} is forbidden`));
}

const web = 'Deployment/shop/web' as WorkloadKey;
const plain = 'Deployment/shop/plain' as WorkloadKey;

test('a refused ConfigMap list holds every workload of its namespace until it is delivered, then queues them again', () => {
  const { access: a, queued } = access();
  refuse(a, 'configmaps', 'shop');
  assert.equal(a.holdsForAccess(plain), true);
  assert.equal(a.holdsForAccess('Deployment/other/web' as WorkloadKey), false, 'other namespaces are served');
  a.permittedOnList('configmaps', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [plain]);
  assert.equal(a.holdsForAccess(plain), false);
});

test('a refused CSI pod-status list holds only the workloads that mount a SecretProviderClass', () => {
  const { access: a, queued } = access();
  refuse(a, 'secretproviderclasspodstatuses', 'shop');
  assert.equal(a.holdsForAccess(plain, false), false, 'no class mounted: its configs are all listed');
  assert.equal(a.holdsForAccess(web, true), true);
  a.permittedOnList('secretproviderclasspodstatuses', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [web]);
});

test('a workload held for two refused lists is queued only once both are delivered', () => {
  const { access: a, queued } = access();
  refuse(a, 'secrets', undefined);
  refuse(a, 'secretproviderclasses', 'shop');
  assert.equal(a.holdsForAccess(web, true), true);
  a.permittedOnList('secrets', undefined, handlers).listFinished();
  assert.deepEqual(queued, [], 'the classes are still refused');
  a.permittedOnList('secretproviderclasses', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [web]);
});
