import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import { parseMaintenanceWindows } from '../../../src/reload/maintenance-window.ts';
import { NamespaceHoldCache } from '../../../src/reload/namespace-holds.ts';

const FREEZE = 'mini-reloader.pelabs/freeze';
const WINDOW = 'mini-reloader.pelabs/maintenance-window';

function setup(): {
  cache: NamespaceHoldCache;
  changes: string[];
  invalid: string[];
  put: (name: string, annotations?: Record<string, string>) => void;
} {
  const changes: string[] = [];
  const invalid: string[] = [];
  const cache = new NamespaceHoldCache({
    annotations: { freeze: FREEZE, maintenanceWindow: WINDOW },
    onChange: (namespace) => {
      changes.push(namespace);
    },
    onInvalid: (namespace, uid, bad) => {
      invalid.push(`${namespace} ${uid} ${bad.annotation}: ${bad.error}`);
    },
  });
  const handlers = cache.handlers();
  const put = (name: string, annotations?: Record<string, string>): void => {
    const obj: KubeObject = {
      metadata: { name, uid: `uid-${name}`, ...(annotations === undefined ? {} : { annotations }) },
    };
    handlers.upsert(obj);
  };
  return { cache, changes, invalid, put };
}

test('a Namespace without hold annotations is not kept and changes nothing', () => {
  const s = setup();
  s.put('shop', { team: 'a' });
  s.put('plain');
  assert.equal(s.cache.holds('shop'), undefined);
  assert.deepEqual(s.changes, []);
});

test('freezing, re-delivering, windowing and unfreezing a Namespace: a change each time its holds change, none on a resync', () => {
  const s = setup();
  s.put('shop', { [FREEZE]: 'true' });
  assert.deepEqual(s.cache.holds('shop'), { name: 'shop', frozen: true, windows: undefined });
  s.put('shop', { [FREEZE]: 'true', other: 'x' });
  assert.deepEqual(s.changes, ['shop'], 'the same holds again is no change');
  s.put('shop', { [FREEZE]: 'true', [WINDOW]: 'Sat 00:00-06:00 UTC' });
  const parsed = parseMaintenanceWindows('Sat 00:00-06:00 UTC');
  assert.ok(parsed.ok);
  assert.deepEqual(s.cache.holds('shop'), { name: 'shop', frozen: true, windows: parsed.windows });
  s.put('shop', {});
  assert.equal(s.cache.holds('shop'), undefined, 'lifting both forgets it');
  assert.deepEqual(s.changes, ['shop', 'shop', 'shop']);
  assert.deepEqual(s.invalid, []);
});

test('values that do not parse are reported once each on the Namespace and count as not frozen and no window', () => {
  const s = setup();
  s.put('shop', { [FREEZE]: 'yes', [WINDOW]: 'Mon 25:00-26:00 UTC' });
  assert.deepEqual(s.cache.holds('shop'), { name: 'shop', frozen: false, windows: [] });
  s.put('shop', { [FREEZE]: 'yes', [WINDOW]: 'Mon 25:00-26:00 UTC' });
  s.put('shop', { [FREEZE]: 'true', [WINDOW]: 'Mon 25:00-26:00 UTC' });
  assert.deepEqual(s.cache.holds('shop'), { name: 'shop', frozen: true, windows: [] });
  assert.equal(s.invalid.length, 2, s.invalid.join('\n'));
  assert.match(s.invalid[0] ?? '', /^shop uid-shop mini-reloader\.pelabs\/freeze: not a boolean.*not frozen$/);
  assert.match(s.invalid[1] ?? '', /^shop uid-shop mini-reloader\.pelabs\/maintenance-window: .*treated as no window/);
  s.put('shop', { [FREEZE]: 'true', [WINDOW]: `Sat 00:00-06:00 UTC${' '.repeat(600)}x` });
  assert.equal(s.invalid.length, 3, 'an overlong window is reported too');
});

test('a Namespace deleted, or missing from a full list, is forgotten with a change', () => {
  const s = setup();
  const handlers = s.cache.handlers();
  s.put('shop', { [FREEZE]: 'true' });
  s.put('cafe', { [FREEZE]: 'true' });
  handlers.remove({ metadata: { name: 'cafe' } });
  assert.equal(s.cache.holds('cafe'), undefined);
  handlers.listStarted();
  handlers.upsert({ metadata: { name: 'other' } });
  handlers.listFinished();
  assert.equal(s.cache.holds('shop'), undefined);
  assert.deepEqual(s.changes, ['shop', 'cafe', 'cafe', 'shop']);
});
