import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countingEvents, type EventMetrics } from '../../../src/controller/event-counts.ts';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import type { ReflectorHandlers } from '../../../src/kube/reflector-types.ts';

function recording(): { metrics: EventMetrics; said: string[] } {
  const said: string[] = [];
  return {
    said,
    metrics: {
      eventReceived: (type, resource) => {
        said.push(`received ${type} ${resource}`);
      },
      eventProcessed: (resource) => {
        said.push(`processed ${resource}`);
      },
      skipped: (reason) => {
        said.push(`skipped ${reason}`);
      },
    },
  };
}

function configMap(namespace: string, name: string): KubeObject {
  return { metadata: { namespace, name, resourceVersion: '1' } };
}

/** A cache of names, as the handlers see it. */
function nameCache(): { handlers: ReflectorHandlers; names: Set<string>; calls: string[] } {
  const names = new Set<string>();
  const calls: string[] = [];
  return {
    names,
    calls,
    handlers: {
      listStarted: () => {
        calls.push('listStarted');
      },
      upsert: (obj) => {
        calls.push(`upsert ${obj.metadata.name}`);
        names.add(obj.metadata.name);
      },
      remove: (obj) => {
        calls.push(`remove ${obj.metadata.name}`);
        names.delete(obj.metadata.name);
      },
      listFinished: () => {
        calls.push('listFinished');
      },
    },
  };
}

test('an object first seen is an add, then an update; a removal a delete; events in an excluded namespace are skipped', () => {
  const { metrics, said } = recording();
  const cache = nameCache();
  const counted = countingEvents(
    'configmaps',
    cache.handlers,
    metrics,
    (obj) => cache.names.has(obj.metadata.name),
    (ns) => ns !== 'ignored',
  );
  counted.listStarted();
  counted.upsert(configMap('app', 'a'));
  counted.listFinished();
  counted.upsert(configMap('app', 'a'));
  counted.remove(configMap('app', 'a'));
  counted.upsert(configMap('ignored', 'b'));
  assert.deepEqual(said, [
    'received add configmaps',
    'processed configmaps',
    'received update configmaps',
    'processed configmaps',
    'received delete configmaps',
    'processed configmaps',
    'received add configmaps',
    'skipped ignored_or_not_selected',
  ]);
  assert.deepEqual(
    cache.calls,
    ['listStarted', 'upsert a', 'listFinished', 'upsert a', 'remove a', 'upsert b'],
    'every call is passed on, in order',
  );
});

test('without a namespace scope (the namespaces themselves), events are only received', () => {
  const { metrics, said } = recording();
  const cache = nameCache();
  const counted = countingEvents('namespaces', cache.handlers, metrics, (obj) => cache.names.has(obj.metadata.name));
  counted.upsert({ metadata: { name: 'team-a', resourceVersion: '1' } });
  assert.deepEqual(said, ['received add namespaces']);
});
