import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertEachRejected, parse } from './parse-helpers.ts';

test('each bad value is rejected with the flag, the value and what is allowed', () => {
  assertEachRejected([
    { argv: ['--debounce=abc'], mentions: ['--debounce', '"abc"', 'is not a duration', '2s', '500ms'] },
    { argv: ['--debounce', '-1s'], mentions: ['--debounce', '"-1s"', 'negative'] },
    { argv: ['--debounce=2h'], mentions: ['--debounce', '"2h"', '1h'] },
    { argv: ['--debounce=5'], mentions: ['--debounce', '"5"', 'is not a duration'] },
    { argv: ['--workers=0'], mentions: ['--workers', '"0"', '1 to 64'] },
    { argv: ['--workers=65'], mentions: ['--workers', '"65"', '1 to 64'] },
    { argv: ['--workers=2.5'], mentions: ['--workers', '"2.5"', 'whole number'] },
    { argv: ['--workers=four'], mentions: ['--workers', '"four"', 'whole number'] },
    { argv: ['--max-rolls-per-second=0'], mentions: ['--max-rolls-per-second', '"0"', 'above 0'] },
    { argv: ['--max-rolls-per-second=-3'], mentions: ['--max-rolls-per-second', '"-3"', 'above 0'] },
    { argv: ['--max-rolls-per-second=fast'], mentions: ['--max-rolls-per-second', '"fast"', 'above 0'] },
    { argv: ['--max-rolls-burst=0'], mentions: ['--max-rolls-burst', '"0"', 'at least 1'] },
    { argv: ['--adoption-writes-per-second=0'], mentions: ['--adoption-writes-per-second', '"0"', 'above 0'] },
    { argv: ['--resources-to-ignore=pods'], mentions: ['--resources-to-ignore', '"pods"', 'configMaps', 'secrets'] },
    { argv: ['--resources-to-ignore=configMaps,secrets'], mentions: ['--resources-to-ignore', 'not both'] },
    { argv: ['--reload-on-create', 'yes'], mentions: ['--reload-on-create', '"yes"', 'true, false'] },
    { argv: ['--metrics-address=9090'], mentions: ['--metrics-address', '"9090"', 'host:port', ':9090'] },
    { argv: ['--metrics-address=:70000'], mentions: ['--metrics-address', '":70000"', '65535'] },
    { argv: ['--metrics-address=[nope]:1'], mentions: ['--metrics-address', '"[nope]:1"', 'IPv6'] },
    { argv: ['--metrics-address=bad host:1'], mentions: ['--metrics-address', '"bad host:1"'] },
    { argv: ['--field-manager='], mentions: ['--field-manager', '""', '1 to 128'] },
    { argv: [`--field-manager=${'m'.repeat(129)}`], mentions: ['--field-manager', '1 to 128'] },
    { argv: ['--dry-run=yes'], mentions: ['--dry-run', '"yes"', 'true', 'false'] },
  ]);
});

test('--resources-to-ignore takes Stakater values in any letter case', () => {
  assert.deepEqual(parse(['--resources-to-ignore=configMaps']).resourcesToIgnore, ['ConfigMap']);
  assert.deepEqual(parse(['--resources-to-ignore=configmaps']).resourcesToIgnore, ['ConfigMap']);
  assert.deepEqual(parse(['--resources-to-ignore=SECRETS']).resourcesToIgnore, ['Secret']);
  assert.deepEqual(parse(['--resources-to-ignore=secrets,Secrets']).resourcesToIgnore, ['Secret']);
});

test("log level and format: Stakater's spellings are accepted", () => {
  assert.equal(parse(['--log-level=warning']).logLevel, 'warn');
  assert.equal(parse(['--log-level=DEBUG']).logLevel, 'debug');
  assert.equal(parse(['--log-level=fatal']).logLevel, 'error');
  assert.equal(parse(['--log-level=trace']).logLevel, 'trace');
  assert.equal(parse(['--log-format=text']).logFormat, 'text');
  assert.equal(parse(['--log-format=']).logFormat, 'text', 'Stakater: empty means its default text format');
});

test(
  'a number flag with 200,000 digits that almost match is rejected within the test timeout (a backtracking pattern takes minutes)',
  { timeout: 10_000 },
  () => {
    assert.throws(() => parse([`--max-rolls-per-second=${'1'.repeat(200_000)}x`]), /is not a number/);
    assert.equal(parse(['--max-rolls-per-second=2.']).maxRollsPerSecond, 2);
  },
);
