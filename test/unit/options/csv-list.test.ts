import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertEachParses, assertEachRejected, assertMentions, errorOf, parse } from './parse-helpers.ts';

test('comma lists trim entries, drop empty ones and de-duplicate; repeated list flags add up', () => {
  assert.deepEqual(parse(['--namespaces= a , b,,a, ']).namespaces, ['a', 'b']);
  assert.deepEqual(parse(['--namespaces=a', '--namespaces', 'b,c']).namespaces, ['a', 'b', 'c']);
  assert.deepEqual(
    parse(['--namespaces-to-ignore=kube-system,', '--namespaces-to-ignore=kube-public']).namespacesToIgnore,
    ['kube-system', 'kube-public'],
  );
  assert.deepEqual(parse(['--namespaces=,']).namespaces, []);
});

test("Stakater's spellings: list flags are CSV, as its pflag string-slice flags take them", () => {
  // List flags are CSV: quotes, commas inside quotes, repeats that add up.
  assertEachParses([
    {
      argv: ['--namespaces-to-ignore', 'kube-system,kube-public'],
      expect: { namespacesToIgnore: ['kube-system', 'kube-public'] },
    },
    {
      argv: ['--namespaces-to-ignore="kube-system","kube-public"'],
      expect: { namespacesToIgnore: ['kube-system', 'kube-public'] },
    },
    {
      argv: ['--namespaces-to-ignore=a', '--namespaces-to-ignore', '"b", c'],
      expect: { namespacesToIgnore: ['a', 'b', 'c'] },
    },
    { argv: ['--namespaces', '"a"', '--namespaces=b'], expect: { namespaces: ['a', 'b'] } },
    { argv: ['--ignored-workload-types="jobs","cronjobs"'], expect: { ignoredWorkloadTypes: ['Job', 'CronJob'] } },
    {
      argv: ['--ignored-workload-types=jobs', '--ignored-workload-types=cronjobs'],
      expect: { ignoredWorkloadTypes: ['Job', 'CronJob'] },
    },
    { argv: ['--resources-to-ignore="configMaps"'], expect: { resourcesToIgnore: ['ConfigMap'] } },
  ]);
  // "" in a quoted item is one quote, as in CSV; the selector parser then refuses the quote.
  assertMentions(
    errorOf(['--resource-label-selector="say ""hi""=x"']),
    '--resource-label-selector',
    String.raw`"say \"hi\"=x"`,
    'label selector',
  );
});

test('each bad list is rejected with the flag, the value and what is allowed', () => {
  assertEachRejected([
    { argv: ['--namespaces="a'], mentions: ['--namespaces', 'without its closing'] },
    {
      argv: ['--ignored-workload-types="jobs,cronjobs"'],
      mentions: ['--ignored-workload-types', '"jobs,cronjobs" is not a workload type'],
    },
    { argv: ['--namespaces-to-ignore="a"b'], mentions: ['--namespaces-to-ignore', 'text after a closing'] },
    {
      argv: ['--namespace-selector=env="prod"'],
      mentions: ['--namespace-selector', 'inside an item that does not start with one'],
    },
  ]);
});
