import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_ENV_VARS, RUN_FLAGS } from '../../../src/options/flags.ts';
import { parse } from './parse-helpers.ts';

test('every flag accepts its own default in both --flag=value and --flag value form', () => {
  const defaults = parse([]);
  for (const f of RUN_FLAGS) {
    if (f.boolean || f.default === undefined) continue;
    assert.deepEqual(parse([`--${f.flag}=${f.default}`]), defaults, `--${f.flag}=${f.default}`);
    if (f.default !== '') assert.deepEqual(parse([`--${f.flag}`, f.default]), defaults, `--${f.flag} ${f.default}`);
  }
});

test('every environment variable is listed in RUN_ENV_VARS with its flag', () => {
  assert.deepEqual(RUN_ENV_VARS.map((e) => e.env).sort(), [
    'ALERT_ADDITIONAL_INFO',
    'ALERT_ON_RELOAD',
    'ALERT_SINK',
    'ALERT_STRUCTURED',
    'ALERT_WEBHOOK_PROXY',
    'ALERT_WEBHOOK_URL',
    'KUBECONFIG',
    'KUBERNETES_NAMESPACE',
    'METRICS_COUNT_BY_NAMESPACE',
    'POD_NAME',
    'POD_NAMESPACE',
  ]);
  for (const e of RUN_ENV_VARS) assert.equal(RUN_FLAGS.find((f) => f.flag === e.flag)?.env, e.env);
});

test('RUN_FLAGS describes every flag once, with a description; names and aliases are unique', () => {
  const names = RUN_FLAGS.flatMap((f) => [f.flag, ...f.aliases]);
  assert.equal(new Set(names).size, names.length);
  for (const f of RUN_FLAGS) {
    assert.match(f.flag, /^[a-z][a-z0-9-]*$/);
    assert.ok(f.description.length > 10, f.flag);
    assert.equal(f.boolean, f.value === '', `${f.flag}: only switches go without a value placeholder`);
  }
  for (const expected of [
    'kubeconfig',
    'namespaces',
    'namespaces-to-ignore',
    'namespace-selector',
    'resource-label-selector',
    'debounce',
    'dry-run',
    'field-manager',
    'workers',
    'max-rolls-per-second',
    'max-rolls-burst',
    'metrics-address',
    'log-format',
    'log-level',
    'enabled-label',
    'hash-annotation',
    'auto-annotation',
    'configmap-auto-annotation',
    'secret-auto-annotation',
    'configmap-annotation',
    'secret-annotation',
    'auto-search-annotation',
    'search-match-annotation',
    'configmap-exclude-annotation',
    'secret-exclude-annotation',
    'ignore-annotation',
    'pause-deployment-annotation',
    'resources-to-ignore',
    'auto-reload-all',
  ]) {
    assert.ok(names.includes(expected), `--${expected} is in RUN_FLAGS`);
  }
});
