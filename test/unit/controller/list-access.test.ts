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

function access(): { access: ListAccess; queued: WorkloadKey[]; held: number[] } {
  const queued: WorkloadKey[] = [];
  const held: number[] = [];
  const metrics = {
    countRelist: () => undefined,
    setForbidden: () => undefined,
    countWatchRestart: () => undefined,
    countError: () => undefined,
    setHeld: (reason: string, count: number) => {
      assert.equal(reason, 'list-not-current');
      held.push(count);
    },
  };
  const a = new ListAccess({
    metrics,
    logger,
    release: (key) => {
      queued.push(key);
    },
  });
  return { access: a, queued, held };
}

/** What the reflector of `resource` reports when its list is refused (403). */
function refuse(a: ListAccess, resource: string, namespace: string | undefined): void {
  a.observer(resource, namespace).forbidden?.(new Error(`${resource} is forbidden`));
}

const web = 'Deployment/shop/web' as WorkloadKey;
const plain = 'Deployment/shop/plain' as WorkloadKey;

test('a refused ConfigMap list holds every workload of its namespace until it is delivered, then releases them', () => {
  const { access: a, queued } = access();
  refuse(a, 'configmaps', 'shop');
  assert.equal(a.holdsUntilCurrent(plain), true);
  assert.equal(a.holdsUntilCurrent('Deployment/other/web' as WorkloadKey), false, 'other namespaces are served');
  a.permittedOnList('configmaps', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [plain]);
  assert.equal(a.holdsUntilCurrent(plain), false);
});

test('a refused CSI pod-status list holds only the workloads that mount a SecretProviderClass', () => {
  const { access: a, queued } = access();
  refuse(a, 'secretproviderclasspodstatuses', 'shop');
  assert.equal(a.holdsUntilCurrent(plain, false), false, 'no class mounted: its configs are all listed');
  assert.equal(a.holdsUntilCurrent(web, true), true);
  a.permittedOnList('secretproviderclasspodstatuses', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [web]);
});

test('a workload held for two refused lists is queued only once both are delivered', () => {
  const { access: a, queued } = access();
  refuse(a, 'secrets', undefined);
  refuse(a, 'secretproviderclasses', 'shop');
  assert.equal(a.holdsUntilCurrent(web, true), true);
  a.permittedOnList('secrets', undefined, handlers).listFinished();
  assert.deepEqual(queued, [], 'the classes are still refused');
  a.permittedOnList('secretproviderclasses', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [web]);
});

test('a watch that ended holds the workloads of its namespaces until the next one has been answered for a second', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { access: a, queued, held } = access();
  const secrets = a.observer('secrets', undefined);
  secrets.watchRestarted?.('closed');
  assert.equal(a.holdsUntilCurrent(plain), true, 'a change made while it reconnects is not in the cache yet');
  assert.equal(
    a.holdsUntilCurrent('Deployment/other/web' as WorkloadKey),
    true,
    'a cluster-wide watch covers them all',
  );
  secrets.watchOpened?.();
  t.mock.timers.tick(999);
  assert.deepEqual(queued, [], 'the changes since its resourceVersion may still be on their way');
  t.mock.timers.tick(1);
  assert.deepEqual(queued, [plain, 'Deployment/other/web']);
  assert.deepEqual(held, [1, 2, 0], 'the held-workloads gauge');
  assert.equal(a.holdsUntilCurrent(plain), false);
});

test('a watch answered and cut again before it settled stays interrupted', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { access: a, queued } = access();
  const configMaps = a.observer('configmaps', 'shop');
  configMaps.watchRestarted?.('error');
  assert.equal(a.holdsUntilCurrent(plain), true);
  configMaps.watchOpened?.();
  t.mock.timers.tick(500);
  configMaps.watchRestarted?.('closed');
  t.mock.timers.tick(5000);
  assert.deepEqual(queued, []);
  configMaps.watchOpened?.();
  t.mock.timers.tick(1000);
  assert.deepEqual(queued, [plain]);
});

test('an answered watch of a list that was current changes nothing', () => {
  const { access: a, queued } = access();
  a.observer('configmaps', 'shop').watchOpened?.();
  assert.equal(a.holdsUntilCurrent(plain), false);
  assert.deepEqual(queued, []);
});

test('a relist after a 410 holds until the list is delivered', () => {
  const { access: a, queued } = access();
  const configMaps = a.observer('configmaps', 'shop');
  configMaps.error?.(new Error('WATCH failed (no response)'), 'watch');
  configMaps.relisted?.('gone');
  assert.equal(a.holdsUntilCurrent(plain), true);
  a.permittedOnList('configmaps', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [plain]);
  assert.equal(a.holdsUntilCurrent(plain), false);
});

test('the first list, a refused one and one of a resource not served hold nothing by themselves', () => {
  const { access: a } = access();
  for (const reason of ['initial', 'absent', 'forbidden'] as const) a.observer('configmaps', 'shop').relisted?.(reason);
  a.observer('configmaps', 'shop').error?.(new Error('handler refused it'), 'handler');
  assert.equal(a.holdsUntilCurrent(plain), false);
});

test('a workload held for a refused list stays held when an interrupted watch of another list is back', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { access: a, queued } = access();
  refuse(a, 'configmaps', 'shop');
  a.observer('secrets', 'shop').watchRestarted?.('error');
  assert.equal(a.holdsUntilCurrent(plain), true);
  a.observer('secrets', 'shop').watchOpened?.();
  t.mock.timers.tick(1000);
  assert.deepEqual(queued, [], 'its ConfigMaps are still refused');
  a.permittedOnList('configmaps', 'shop', handlers).listFinished();
  assert.deepEqual(queued, [plain]);
});
