import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeLabelSelector } from '../../../src/options/label-selector.ts';
import { assertEachParses, assertEachRejected, parse } from './parse-helpers.ts';

test('label selectors: Kubernetes syntax, normalized; Stakater legacy k:v, k:* and k=* translated', () => {
  const cases: [string, string | undefined][] = [
    ['team=a', 'team=a'],
    ['team==a', 'team=a'],
    [' team != a ', 'team!=a'],
    ['team', 'team'],
    ['!team', '!team'],
    ['env in (prod, staging)', 'env in (prod,staging)'],
    ['env notin (dev)', 'env notin (dev)'],
    ['example.com/team=a,tier', 'example.com/team=a,tier'],
    ['team=', 'team='],
    ['replicas>2', 'replicas>2'],
    ['team:a', 'team=a'],
    ['team:*', 'team'],
    ['team=*', 'team'],
    ['a=b, c:d ,, ', 'a=b,c=d'],
    ['', undefined],
    [' , ', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeLabelSelector(input), expected, input);
  for (const bad of ['a=(b)', 'in (a)', 'a in ()', 'a in (b', 'a)', 'a==b==c', 'a>b', '!a=b', 'a b']) {
    assert.throws(() => normalizeLabelSelector(bad), Error, bad);
  }
  // Repeated selector flags add up, as Stakater's string-slice flags do.
  assert.equal(parse(['--namespace-selector=a=b', '--namespace-selector=c']).namespaceSelector, 'a=b,c');
});

test('label selectors: 10,000-character terms that almost match are rejected quickly', () => {
  const long = 'a'.repeat(10_000);
  for (const bad of [
    `${long} in (b`,
    `${long}=${long}=`,
    `${long} ${long}`,
    `!${long}=`,
    `${long}<${long}`,
    `${long}:${long}:`,
    `${long}.${long}/x/y`,
  ]) {
    assert.throws(() => normalizeLabelSelector(bad), Error, bad.slice(0, 20));
  }
  assert.throws(() => normalizeLabelSelector(`${long}=b`), /label key/, 'a key longer than 63 characters');
});

test("Stakater's spellings: a selector in literal quotes, as its chart renders them", () => {
  // Stakater's chart renders the selectors with literal quotes inside the argument.
  assertEachParses([
    { argv: ['--namespace-selector="env=test"'], expect: { namespaceSelector: 'env=test' } },
    { argv: ['--resource-label-selector="reloader=enabled"'], expect: { resourceLabelSelector: 'reloader=enabled' } },
    { argv: ['--namespace-selector', '"team in (a,b)",tier:*'], expect: { namespaceSelector: 'team in (a,b),tier' } },
    { argv: ['--namespace-selector=team in (a,b)'], expect: { namespaceSelector: 'team in (a,b)' } },
    {
      argv: ['--namespace-selector="a=b,c=d"', '--namespace-selector', 'e!=f'],
      expect: { namespaceSelector: 'a=b,c=d,e!=f' },
    },
  ]);
});

test('each bad selector is rejected with the flag, the value and what is allowed', () => {
  assertEachRejected([
    {
      argv: ['--namespace-selector=team in (a'],
      mentions: ['--namespace-selector', '"team in (a"', 'label selector', 'k notin (a,b)'],
    },
    { argv: ['--namespace-selector=env=prod,te am'], mentions: ['--namespace-selector', '"te am"', 'label selector'] },
    {
      argv: ['--resource-label-selector=app=we b'],
      mentions: ['--resource-label-selector', '"app=we b"', 'label selector'],
    },
    {
      argv: ['--resource-label-selector=a/b/c=x'],
      mentions: ['--resource-label-selector', '"a/b/c=x"', "more than one '/'"],
    },
    { argv: ['--resource-label-selector=app=-bad'], mentions: ['--resource-label-selector', '"-bad"'] },
  ]);
});
