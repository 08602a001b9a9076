import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertEachParses, assertMentions, errorOf, parse } from './parse-helpers.ts';

test('values in both forms, including values that start with a dash or contain "="', () => {
  assert.equal(parse(['--debounce', '500ms']).debounceMs, 500);
  assert.equal(parse(['--debounce=0']).debounceMs, 0);
  assert.equal(parse(['--field-manager', '-odd-but-fine']).fieldManager, '-odd-but-fine');
  assert.equal(parse(['--resource-label-selector', 'app=web']).resourceLabelSelector, 'app=web');
  assert.equal(parse(['--resource-label-selector=app=web']).resourceLabelSelector, 'app=web');
  assert.equal(parse(['--kubeconfig', '/tmp/kc']).kubeconfig, '/tmp/kc');
  assert.equal(parse(['--workers', '64']).workers, 64);
  assert.equal(parse(['--max-rolls-per-second=0.5']).maxRollsPerSecond, 0.5);
  assert.equal(parse(['--max-rolls-burst=1']).maxRollsBurst, 1);
  assert.equal(parse(['--adoption-writes-per-second=0.5']).adoptionWritesPerSecond, 0.5);
  assert.equal(parse(['--metrics-address=127.0.0.1:0']).metricsAddress, '127.0.0.1:0');
  assert.equal(parse(['--metrics-address=[::1]:9090']).metricsAddress, '[::1]:9090');
  assert.equal(parse(['--enabled-label=example.com/reload-me']).enabledLabel, 'example.com/reload-me');
  assert.equal(parse(['--auto-annotation', 'example.com/auto']).annotations.auto, 'example.com/auto');
  assert.equal(parse(['--pause-deployment-annotation=example.com/pause']).annotations.pausePeriod, 'example.com/pause');
});

test("Stakater's spelling --metrics-addr is an alias of --metrics-address", () => {
  assert.equal(parse(['--metrics-addr=:8080']).metricsAddress, ':8080');
  assertMentions(errorOf(['--metrics-addr=nope']), '--metrics-addr', '"nope"');
});

test("Stakater's spellings: a switch Stakater declares as a string also takes its value as the next argument", () => {
  // String flags holding true/false: the value may be the next argument.
  assertEachParses([
    { argv: ['--reload-on-create', 'true'], expect: { reloadOnCreate: true } },
    { argv: ['--reload-on-create', 'false'], expect: { reloadOnCreate: false } },
    {
      argv: ['--reload-on-delete', 'true', '--reload-on-create', 'True'],
      expect: { reloadOnDelete: true, reloadOnCreate: true },
    },
    { argv: ['--reload-on-delete=true'], expect: { reloadOnDelete: true } },
    { argv: ['--reload-on-create', '--reload-on-delete'], expect: { reloadOnCreate: true, reloadOnDelete: true } },
    { argv: ['--is-Argo-Rollouts', 'false'], expect: { ignoredWorkloadTypes: ['Rollout'] } },
    {
      argv: ['--is-Argo-Rollouts', 'true', '--ignored-workload-types', 'jobs'],
      expect: { ignoredWorkloadTypes: ['Job'] },
    },
  ]);
  // Our own switches keep Go's bool-flag rule: a value only after "=".
  assertMentions(errorOf(['--auto-reload-all', 'true']), 'unexpected argument "true"', '--auto-reload-all=true');
});

test('a value-taking flag at the end, or followed by another flag, needs a value', () => {
  assertMentions(errorOf(['--workers']), '--workers', 'needs a value');
  assertMentions(errorOf(['--debounce', '--dry-run']), '--debounce', 'needs a value');
});

test('unknown flags, stray arguments and single-dash flags are errors', () => {
  assertMentions(errorOf(['--no-such-flag']), 'unknown flag --no-such-flag', '--help');
  assertMentions(errorOf(['--debounse=1s']), '--debounse', 'did you mean --debounce');
  assertMentions(errorOf(['-v']), 'unknown flag -v');
  assertMentions(errorOf(['web']), 'unexpected argument "web"');
  assertMentions(errorOf(['--dry-run', 'false']), 'unexpected argument "false"', '--dry-run=false');
  assertMentions(errorOf(['--', '--dry-run']), 'unexpected argument "--"');
});

test('Stakater-only flags are refused with what to do instead', () => {
  assertMentions(errorOf(['--watch-namespace=a']), '--watch-namespace', '--namespaces');
  assertMentions(
    errorOf(['--leader-election-release-on-cancel']),
    '--leader-election-release-on-cancel',
    'always releases',
  );
  assert.equal(parse(['--enable-csi-integration']).csiIntegration, true, "Stakater's CSI flag is taken");
  assert.equal(parse(['--enable-pprof']).profilingAddress, ':6060', "Stakater's profiling flags are taken");
});
