import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredTarget, parseExplainArgs } from '../../../src/explain/explain-args.ts';
import { OptionsError } from '../../../src/options/options-error.ts';

const parse = (...argv: string[]) => parseExplainArgs(argv);
const request = (...argv: string[]) => {
  const parsed = parseExplainArgs(argv);
  assert.ok(parsed !== null);
  return parsed;
};
const refused = (pattern: RegExp, ...argv: string[]): void => {
  assert.throws(
    () => parse(...argv),
    (err: unknown) => err instanceof OptionsError && pattern.test(err.message),
  );
};

test('TYPE/NAME takes configs and every workload kind the controller rolls, with plurals and kubectl short names', () => {
  assert.deepEqual(parse('configmap/app')?.target, { kind: 'ConfigMap', name: 'app', config: true });
  assert.deepEqual(parse('cm/app')?.target, { kind: 'ConfigMap', name: 'app', config: true });
  assert.deepEqual(parse('secrets/db')?.target, { kind: 'Secret', name: 'db', config: true });
  assert.deepEqual(parse('deploy/web')?.target, { kind: 'Deployment', name: 'web', config: false });
  assert.deepEqual(parse('StatefulSet', 'db')?.target, { kind: 'StatefulSet', name: 'db', config: false });
  for (const [type, kind] of [
    ['daemonsets', 'DaemonSet'],
    ['cj', 'CronJob'],
    ['job', 'Job'],
    ['rollout', 'Rollout'],
  ] as const) {
    assert.equal(parse(`${type}/x`)?.target.kind, kind);
  }
});

test("kubectl's spellings of the namespace and output options all work", () => {
  for (const argv of [['-n', 'team'], ['-nteam'], ['-n=team'], ['--namespace', 'team'], ['--namespace=team']]) {
    assert.equal(parse('deployment/web', ...argv)?.namespace, 'team', argv.join(' '));
  }
  for (const argv of [['-o', 'json'], ['-ojson'], ['--output=json'], ['--output', 'json']]) {
    assert.equal(parse('deployment/web', ...argv)?.output, 'json', argv.join(' '));
  }
  const given = request(
    'configmap/app',
    '--key',
    'LOG_LEVEL',
    '--context',
    'prod',
    '--kubeconfig=/tmp/k',
    '--from-deployment',
    'mini-reloader/mini-reloader',
  );
  assert.equal(given.output, 'table');
  assert.equal(given.namespace, undefined, 'left to the kubeconfig');
  assert.equal(given.key, 'LOG_LEVEL');
  assert.equal(given.context, 'prod');
  assert.equal(given.kubeconfig, '/tmp/k');
  assert.deepEqual(given.fromDeployment, { namespace: 'mini-reloader', name: 'mini-reloader' });
});

test('run flags pass through with their values, whichever way they are given', () => {
  const given = request(
    '--auto-reload-all',
    'deployment/web',
    '--namespace-selector',
    'team=x',
    '--reload-on-create',
    'true',
    '--namespaces=a,b',
    '--workers',
    '4',
  );
  assert.deepEqual(given.target, { kind: 'Deployment', name: 'web', config: false });
  assert.deepEqual(given.runFlags, [
    '--auto-reload-all',
    '--namespace-selector',
    'team=x',
    '--reload-on-create',
    'true',
    '--namespaces=a,b',
    '--workers',
    '4',
  ]);
});

test('--help asks for the usage', () => {
  assert.equal(parse('--help'), null);
  assert.equal(parse('deployment/web', '-h'), null);
});

test('bad arguments are refused with the argument named', () => {
  refused(/needs what to explain/);
  refused(/give TYPE\/NAME/, 'deployment');
  refused(/give TYPE\/NAME/, 'deployment/');
  refused(/unexpected argument "extra"/, 'deployment/web', 'extra');
  refused(/-o: "yaml" is not an output format/, 'deployment/web', '-o', 'yaml');
  refused(
    /--from-deployment: "mini-reloader" is not NAMESPACE\/NAME/,
    'deployment/web',
    '--from-deployment',
    'mini-reloader',
  );
  refused(/--key needs a value/, 'deployment/web', '--key');
  refused(/-n is given twice/, 'deployment/web', '-n', 'a', '-n', 'b');
  refused(/unknown option "-x"/, 'deployment/web', '-x');
});

test('a type that is no config and no built-in kind is left to the declared kinds, matched as kubectl spells them', () => {
  assert.deepEqual(parse('clonesets.apps.kruise.io/web')?.target, {
    kind: undefined,
    type: 'clonesets.apps.kruise.io',
    name: 'web',
    config: false,
  });
  const cloneSet = { kind: 'CloneSet', group: 'apps.kruise.io', resource: 'clonesets' };
  const kruiseSts = { kind: 'StatefulSet', group: 'apps.kruise.io', resource: undefined };
  for (const type of ['cloneset', 'CloneSet', 'clonesets', 'cloneset.apps.kruise.io', 'clonesets.apps.kruise.io'])
    assert.equal(declaredTarget(type, [kruiseSts, cloneSet]), cloneSet, type);
  assert.equal(declaredTarget('statefulset.apps.kruise.io', [cloneSet, kruiseSts]), kruiseSts);
  assert.throws(
    () => declaredTarget('pods', []),
    (err: unknown) =>
      err instanceof OptionsError &&
      /"pods" is not a type explain knows: .*a kind declared with --workload-kind/.test(err.message),
  );
  assert.throws(
    () => declaredTarget('clonesets.apps', [cloneSet]),
    (err: unknown) => err instanceof OptionsError && /cloneset\.apps\.kruise\.io \(declared\)/.test(err.message),
  );
});
