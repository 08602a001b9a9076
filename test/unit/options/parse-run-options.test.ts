import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDuration } from '../../../src/duration.ts';
import { RUN_ENV_VARS, RUN_FLAGS } from '../../../src/options/flags.ts';
import { formatHelp } from '../../../src/options/help.ts';
import { normalizeLabelSelector } from '../../../src/options/label-selector.ts';
import { OptionsError } from '../../../src/options/options-error.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import type { RunOptions } from '../../../src/options/run-options.ts';

const parse = (argv: readonly string[], env: Record<string, string | undefined> = {}): RunOptions => parseRunOptions(argv, env);

/** The OptionsError message for argv/env; fails the test if parsing succeeds or throws anything else. */
function errorOf(argv: readonly string[], env: Record<string, string | undefined> = {}): string {
  try {
    parse(argv, env);
  } catch (err) {
    assert.ok(err instanceof OptionsError, `expected an OptionsError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(argv)} to be rejected`);
}

function assertMentions(message: string, ...parts: string[]): void {
  for (const part of parts) assert.ok(message.includes(part), `expected ${JSON.stringify(message)} to mention ${JSON.stringify(part)}`);
}

test('defaults: the documented values, cluster-wide, Stakater annotation names', () => {
  const o = parse([]);
  assert.equal(o.kubeconfig, undefined);
  assert.deepEqual(o.namespaces, []);
  assert.deepEqual(o.namespacesToIgnore, []);
  assert.equal(o.namespaceSelector, undefined);
  assert.equal(o.resourceLabelSelector, undefined);
  assert.equal(o.debounceMs, 2000);
  assert.equal(o.dryRun, false);
  assert.equal(o.fieldManager, 'mini-reloader');
  assert.equal(o.workers, 4);
  assert.equal(o.maxRollsPerSecond, 10);
  assert.equal(o.maxRollsBurst, 50);
  assert.equal(o.adoptionWritesPerSecond, 20);
  assert.equal(o.metricsAddress, ':9090');
  assert.equal(o.logFormat, 'json');
  assert.equal(o.logLevel, 'info');
  assert.equal(o.enabledLabel, 'mini-reloader.pelabs/enabled');
  assert.equal(o.hashAnnotation, 'mini-reloader.pelabs/config-hash');
  assert.equal(o.autoReloadAll, false);
  assert.deepEqual(o.resourcesToIgnore, []);
  assert.deepEqual(o.ignoredWorkloadTypes, []);
  assert.equal(o.reloadStrategy, 'hash');
  assert.equal(o.reloadOnCreate, false);
  assert.equal(o.reloadOnDelete, false);
  assert.equal(o.startCronJobRuns, true);
  assert.equal(o.webhookUrl, undefined);
  assert.equal(o.ha, undefined);
  assert.equal(o.metricsByNamespace, false);
  assert.deepEqual(o.annotations, {
    auto: 'reloader.stakater.com/auto',
    configMapAuto: 'configmap.reloader.stakater.com/auto',
    secretAuto: 'secret.reloader.stakater.com/auto',
    configMapReload: 'configmap.reloader.stakater.com/reload',
    secretReload: 'secret.reloader.stakater.com/reload',
    search: 'reloader.stakater.com/search',
    match: 'reloader.stakater.com/match',
    configMapExclude: 'configmaps.exclude.reloader.stakater.com/reload',
    secretExclude: 'secrets.exclude.reloader.stakater.com/reload',
    ignore: 'reloader.stakater.com/ignore',
    pausePeriod: 'deployment.reloader.stakater.com/pause-period',
    pausedAt: 'deployment.reloader.stakater.com/paused-at',
    rolloutStrategy: 'reloader.stakater.com/rollout-strategy',
  });
});

test('the result is frozen', () => {
  const o = parse(['--namespaces=a']);
  assert.ok(Object.isFrozen(o));
  assert.ok(Object.isFrozen(o.annotations));
  assert.ok(Object.isFrozen(o.namespaces));
});

test('every flag accepts its own default in both --flag=value and --flag value form', () => {
  const defaults = parse([]);
  for (const f of RUN_FLAGS) {
    if (f.boolean || f.default === undefined) continue;
    assert.deepEqual(parse([`--${f.flag}=${f.default}`]), defaults, `--${f.flag}=${f.default}`);
    if (f.default !== '') assert.deepEqual(parse([`--${f.flag}`, f.default]), defaults, `--${f.flag} ${f.default}`);
  }
});

test('boolean flags: bare, =true, =false, and Go-style spellings', () => {
  const env = { POD_NAME: 'p', POD_NAMESPACE: 'ns', ALERT_WEBHOOK_URL: 'http://alerts.example/hook' };
  for (const f of RUN_FLAGS.filter((s) => s.boolean)) {
    const name = `--${f.flag}`;
    // --alert-structured shapes alerts, so it shows only with alerts on.
    const parseRunOptions = (argv: string[], e: Record<string, string>): RunOptions => parse(f.flag === 'alert-structured' ? ['--alert-on-reload', ...argv] : argv, e);
    const on = parseRunOptions([name], env);
    const off = parseRunOptions([`${name}=false`], env);
    // --sync-after-restart is accepted for Stakater and changes nothing: start-up is always level-based.
    if (f.flag === 'sync-after-restart') assert.deepEqual(on, off);
    else assert.notDeepEqual(on, off, `${name} changes something`);
    assert.deepEqual(parseRunOptions([`${name}=true`], env), on);
    assert.deepEqual(parseRunOptions([`${name}=TRUE`], env), on);
    assert.deepEqual(parseRunOptions([`${name}=1`], env), on);
    assert.deepEqual(parseRunOptions([`${name}=0`], env), off);
    assert.deepEqual(parseRunOptions([name, `${name}=false`], env), off, 'the last one wins');
    assert.deepEqual(parseRunOptions([], env), f.default === 'true' ? on : off, `${name} defaults to ${f.default ?? ''}`);
  }
  assert.equal(parse(['--dry-run']).dryRun, true);
  assert.equal(parse(['--auto-reload-all=true']).autoReloadAll, true);
});

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

test('comma lists trim entries, drop empty ones and de-duplicate; repeated list flags add up', () => {
  assert.deepEqual(parse(['--namespaces= a , b,,a, ']).namespaces, ['a', 'b']);
  assert.deepEqual(parse(['--namespaces=a', '--namespaces', 'b,c']).namespaces, ['a', 'b', 'c']);
  assert.deepEqual(parse(['--namespaces-to-ignore=kube-system,', '--namespaces-to-ignore=kube-public']).namespacesToIgnore, ['kube-system', 'kube-public']);
  assert.deepEqual(parse(['--namespaces=,']).namespaces, []);
});

test('a scalar flag given twice: the last value wins (as with Go flags)', () => {
  assert.equal(parse(['--workers=2', '--workers=8']).workers, 8);
  assert.equal(parse(['--log-format=text', '--log-format', 'json']).logFormat, 'json');
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

test('env: KUBECONFIG and KUBERNETES_NAMESPACE stand in for absent flags; flags win; empty counts as unset', () => {
  assert.equal(parse([], { KUBECONFIG: '/etc/kc' }).kubeconfig, '/etc/kc');
  assert.equal(parse(['--kubeconfig=/flag'], { KUBECONFIG: '/etc/kc' }).kubeconfig, '/flag');
  assert.equal(parse([], { KUBECONFIG: '' }).kubeconfig, undefined);
  assert.deepEqual(parse([], { KUBERNETES_NAMESPACE: 'team-a' }).namespaces, ['team-a']);
  assert.deepEqual(parse(['--namespaces=b'], { KUBERNETES_NAMESPACE: 'team-a' }).namespaces, ['b']);
  assert.deepEqual(parse([], { KUBERNETES_NAMESPACE: '' }).namespaces, []);
  assert.deepEqual(parse([], { UNRELATED: 'x' }), parse([]));
});

test('every environment variable is listed in RUN_ENV_VARS with its flag', () => {
  assert.deepEqual(RUN_ENV_VARS.map((e) => e.env).sort(), [
    'ALERT_ADDITIONAL_INFO', 'ALERT_ON_RELOAD', 'ALERT_SINK', 'ALERT_STRUCTURED', 'ALERT_WEBHOOK_PROXY', 'ALERT_WEBHOOK_URL',
    'KUBECONFIG', 'KUBERNETES_NAMESPACE', 'METRICS_COUNT_BY_NAMESPACE', 'POD_NAME', 'POD_NAMESPACE',
  ]);
  for (const e of RUN_ENV_VARS) assert.equal(RUN_FLAGS.find((f) => f.flag === e.flag)?.env, e.env);
});

test('each bad value is rejected with the flag, the value and what is allowed', () => {
  const cases: { argv: string[]; env?: Record<string, string>; mentions: string[] }[] = [
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
    { argv: ['--namespaces=ok,Not_OK'], mentions: ['--namespaces', '"Not_OK"', 'namespace name', 'lower-case'] },
    { argv: ['--namespaces', 'a'.repeat(64)], mentions: ['--namespaces', 'a'.repeat(64), '63'] },
    { argv: ['--namespaces-to-ignore=-x'], mentions: ['--namespaces-to-ignore', '"-x"', 'namespace name'] },
    { argv: ['--namespace-selector=team in (a'], mentions: ['--namespace-selector', '"team in (a"', 'label selector', 'k notin (a,b)'] },
    { argv: ['--namespace-selector=env=prod,te am'], mentions: ['--namespace-selector', '"te am"', 'label selector'] },
    { argv: ['--resource-label-selector=app=we b'], mentions: ['--resource-label-selector', '"app=we b"', 'label selector'] },
    { argv: ['--resource-label-selector=a/b/c=x'], mentions: ['--resource-label-selector', '"a/b/c=x"', "more than one '/'"] },
    { argv: ['--resource-label-selector=app=-bad'], mentions: ['--resource-label-selector', '"-bad"'] },
    { argv: ['--resources-to-ignore=pods'], mentions: ['--resources-to-ignore', '"pods"', 'configMaps', 'secrets'] },
    { argv: ['--resources-to-ignore=configMaps,secrets'], mentions: ['--resources-to-ignore', 'not both'] },
    { argv: ['--namespaces="a'], mentions: ['--namespaces', 'without its closing'] },
    { argv: ['--ignored-workload-types="jobs,cronjobs"'], mentions: ['--ignored-workload-types', '"jobs,cronjobs" is not a workload type'] },
    { argv: ['--namespaces-to-ignore="a"b'], mentions: ['--namespaces-to-ignore', 'text after a closing'] },
    { argv: ['--namespace-selector=env="prod"'], mentions: ['--namespace-selector', 'inside an item that does not start with one'] },
    { argv: ['--reload-on-create', 'yes'], mentions: ['--reload-on-create', '"yes"', 'true, false'] },
    { argv: ['--metrics-address=9090'], mentions: ['--metrics-address', '"9090"', 'host:port', ':9090'] },
    { argv: ['--metrics-address=:70000'], mentions: ['--metrics-address', '":70000"', '65535'] },
    { argv: ['--metrics-address=[nope]:1'], mentions: ['--metrics-address', '"[nope]:1"', 'IPv6'] },
    { argv: ['--metrics-address=bad host:1'], mentions: ['--metrics-address', '"bad host:1"'] },
    { argv: ['--field-manager='], mentions: ['--field-manager', '""', '1 to 128'] },
    { argv: [`--field-manager=${'m'.repeat(129)}`], mentions: ['--field-manager', '1 to 128'] },
    { argv: ['--enabled-label=not a label'], mentions: ['--enabled-label', '"not a label"', 'label name'] },
    { argv: [`--hash-annotation=example.com/${'h'.repeat(55)}`], mentions: ['--hash-annotation', '54', '-baseline'] },
    { argv: ['--auto-annotation=Bad_Prefix/auto'], mentions: ['--auto-annotation', '"Bad_Prefix/auto"', 'DNS subdomain'] },
    { argv: ['--ignore-annotation=x/'], mentions: ['--ignore-annotation', '"x/"', 'annotation name'] },
    { argv: ['--dry-run=yes'], mentions: ['--dry-run', '"yes"', 'true', 'false'] },
    { argv: [], env: { KUBERNETES_NAMESPACE: 'Team_A' }, mentions: ['KUBERNETES_NAMESPACE', '"Team_A"', 'namespace name'] },
  ];
  for (const c of cases) assertMentions(errorOf(c.argv, c.env), ...c.mentions);
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
  assertMentions(errorOf(['--leader-election-release-on-cancel']), '--leader-election-release-on-cancel', 'always releases');
  assertMentions(errorOf(['--enable-csi-integration']), '--enable-csi-integration', 'does not support');
  assert.equal(parse(['--enable-pprof']).profilingAddress, ':6060', 'Stakater\'s profiling flags are taken');
});

test('Stakater\'s reload flags: strategies, create/delete, ignored workload types, Argo Rollouts', () => {
  assert.equal(parse(['--reload-strategy=env-vars']).reloadStrategy, 'env-vars');
  assert.equal(parse(['--reload-strategy', 'Annotations']).reloadStrategy, 'annotations');
  assertMentions(errorOf(['--reload-strategy=restart']), '--reload-strategy', '"restart"', 'hash, env-vars, annotations');
  assert.deepEqual(parse(['--ignored-workload-types=jobs,cronjobs']).ignoredWorkloadTypes, ['Job', 'CronJob']);
  assert.deepEqual(parse(['--is-Argo-Rollouts=false']).ignoredWorkloadTypes, ['Rollout']);
  assertMentions(errorOf(['--ignored-workload-types=pods']), '--ignored-workload-types', '"pods"', 'jobs');
  assertMentions(errorOf(['--ignored-workload-types=deployments,statefulsets,daemonsets,cronjobs,jobs,rollouts']), 'nothing to roll');
  assert.equal(parse(['--webhook-url=https://hooks.example.com/T0/secret']).webhookUrl, 'https://hooks.example.com/T0/secret');
  const bad = errorOf(['--webhook-url=ftp://hooks.example.com/secret-token']);
  assertMentions(bad, '--webhook-url', 'ftp:');
  assert.equal(bad.includes('secret-token'), false, 'a webhook URL may hold a token: never echoed');
  assert.equal(parse([], { METRICS_COUNT_BY_NAMESPACE: 'enabled' }).metricsByNamespace, true);
});

test("alerts: Stakater's ALERT_* variables, its sink names, and a URL that is never echoed", () => {
  assert.equal(parse([]).alerts, undefined);
  assert.equal(parse([], { ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0' }).alerts, undefined, 'as in Stakater v1.4, ALERT_ON_RELOAD turns alerts on');
  assert.deepEqual(parse([], {
    ALERT_ON_RELOAD: 'true', ALERT_SINK: 'Slack', ALERT_WEBHOOK_URL: ' https://hooks.slack.com/services/T0 ', ALERT_ADDITIONAL_INFO: ' Cluster: prod ', ALERT_WEBHOOK_PROXY: 'http://proxy:3128',
  }).alerts, { sink: 'slack', url: 'https://hooks.slack.com/services/T0', additionalInfo: 'Cluster: prod', proxy: 'http://proxy:3128', structured: false });
  assert.equal(parse([], { ALERT_ON_RELOAD: 'true', ALERT_WEBHOOK_URL: 'http://h/x' }).alerts?.sink, 'raw');
  assert.equal(parse([], { ALERT_ON_RELOAD: 'true', ALERT_SINK: 'webhook', ALERT_WEBHOOK_URL: 'http://h/x' }).alerts?.sink, 'raw');
  assert.equal(parse(['--alert-on-reload', '--alert-sink=gchat', '--alert-webhook-url=http://h/x']).alerts?.sink, 'gchat');
  assertMentions(errorOf([], { ALERT_ON_RELOAD: 'true' }), 'ALERT_ON_RELOAD', 'ALERT_WEBHOOK_URL');
  assertMentions(errorOf([], { ALERT_ON_RELOAD: 'true', ALERT_SINK: 'pager', ALERT_WEBHOOK_URL: 'http://h/x' }), 'ALERT_SINK', '"pager"', 'slack, teams, gchat, raw');
  const bad = errorOf([], { ALERT_ON_RELOAD: 'true', ALERT_WEBHOOK_URL: 'hooks.slack.com/services/SECRET' });
  assertMentions(bad, 'ALERT_WEBHOOK_URL', 'not an absolute URL');
  assert.equal(bad.includes('SECRET'), false);
});

test('--enable-ha needs POD_NAME and a namespace, and the Lease timings in order', () => {
  assertMentions(errorOf(['--enable-ha'], { POD_NAMESPACE: 'ns' }), '--enable-ha', 'POD_NAME');
  assertMentions(errorOf(['--enable-ha'], { POD_NAME: 'p' }), '--enable-ha', 'POD_NAMESPACE');
  assert.deepEqual(parse(['--enable-ha'], { POD_NAME: 'p', POD_NAMESPACE: 'ns' }).ha, {
    leaseName: 'mini-reloader', leaseNamespace: 'ns', identity: 'p', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000,
  });
  assert.equal(parse(['--enable-ha', '--leader-election-namespace=ops'], { POD_NAME: 'p', POD_NAMESPACE: 'ns' }).ha?.leaseNamespace, 'ops');
  assertMentions(errorOf(['--enable-ha', '--leader-election-renew-deadline=20s'], { POD_NAME: 'p', POD_NAMESPACE: 'ns' }), '--leader-election-renew-deadline', 'below --leader-election-lease-duration');
});

test('--namespaces (or KUBERNETES_NAMESPACE) with a namespace selector or ignore list: as Stakater, a warning says what is ignored, and the rest runs', () => {
  const cases: { argv: string[]; env?: Record<string, string>; namespaces: string[]; mentions: string[][] }[] = [
    { argv: ['--namespaces=a', '--namespace-selector=team=x'], namespaces: ['a'], mentions: [['--namespace-selector', '"team=x"', 'is ignored', '--namespaces (namespaced mode)', 'a']] },
    { argv: ['--namespaces=a,b', '--namespaces-to-ignore=c'], namespaces: ['a', 'b'], mentions: [['--namespaces-to-ignore', '"c"', 'is ignored', '--namespaces (namespaced mode)', 'a, b']] },
    { argv: ['--namespace-selector', 'team=x'], env: { KUBERNETES_NAMESPACE: 'a' }, namespaces: ['a'], mentions: [['--namespace-selector', '"team=x"', 'KUBERNETES_NAMESPACE (single-namespace mode)']] },
    { argv: ['--namespaces-to-ignore=b', '--namespace-selector=team=x'], env: { KUBERNETES_NAMESPACE: 'a' }, namespaces: ['a'],
      mentions: [['--namespace-selector', 'KUBERNETES_NAMESPACE'], ['--namespaces-to-ignore', '"b"', 'KUBERNETES_NAMESPACE']] },
  ];
  for (const c of cases) {
    const o = parse(c.argv, c.env);
    assert.deepEqual(o.namespaces, c.namespaces);
    assert.equal(o.namespaceSelector, undefined, 'the selector is ignored');
    assert.deepEqual(o.namespacesToIgnore, [], 'the ignore list is ignored');
    assert.equal(o.warnings.length, c.mentions.length, JSON.stringify(o.warnings));
    c.mentions.forEach((parts, i) => { assertMentions(o.warnings[i] ?? '', ...parts); });
  }
  // Each alone is fine, and the selector with the ignore list too: no warning.
  const both = parse(['--namespace-selector=team=x', '--namespaces-to-ignore=b']);
  assert.equal(both.namespaceSelector, 'team=x');
  assert.deepEqual(both.namespacesToIgnore, ['b']);
  assert.deepEqual(both.warnings, []);
});

test("a bad --log-format or --log-level is, as in Stakater, a warning naming it, and the default applies", () => {
  const o = parse(['--log-format=xml', '--log-level', 'verbose']);
  assert.equal(o.logFormat, 'json');
  assert.equal(o.logLevel, 'info');
  assert.equal(o.warnings.length, 2);
  assertMentions(o.warnings[0] ?? '', '--log-format', '"xml"', 'json, text', 'ignored', 'the default "json"');
  assertMentions(o.warnings[1] ?? '', '--log-level', '"verbose"', 'trace', 'debug', 'info', 'warn', 'error', 'the default "info"');
  const stakater = parse(['--stakater-defaults', '--log-format=logfmt']);
  assert.equal(stakater.logFormat, 'text');
  assertMentions(stakater.warnings[0] ?? '', 'the default "text"');
  assert.deepEqual(parse(['--log-format=text']).warnings, []);
});

test("Stakater's spellings, as its cobra/pflag flags take them", () => {
  const cases: { argv: string[]; expect: Partial<RunOptions> }[] = [
    // String flags holding true/false: the value may be the next argument.
    { argv: ['--reload-on-create', 'true'], expect: { reloadOnCreate: true } },
    { argv: ['--reload-on-create', 'false'], expect: { reloadOnCreate: false } },
    { argv: ['--reload-on-delete', 'true', '--reload-on-create', 'True'], expect: { reloadOnDelete: true, reloadOnCreate: true } },
    { argv: ['--reload-on-delete=true'], expect: { reloadOnDelete: true } },
    { argv: ['--reload-on-create', '--reload-on-delete'], expect: { reloadOnCreate: true, reloadOnDelete: true } },
    { argv: ['--is-Argo-Rollouts', 'false'], expect: { ignoredWorkloadTypes: ['Rollout'] } },
    { argv: ['--is-Argo-Rollouts', 'true', '--ignored-workload-types', 'jobs'], expect: { ignoredWorkloadTypes: ['Job'] } },
    // List flags are CSV: quotes, commas inside quotes, repeats that add up.
    { argv: ['--namespaces-to-ignore', 'kube-system,kube-public'], expect: { namespacesToIgnore: ['kube-system', 'kube-public'] } },
    { argv: ['--namespaces-to-ignore="kube-system","kube-public"'], expect: { namespacesToIgnore: ['kube-system', 'kube-public'] } },
    { argv: ['--namespaces-to-ignore=a', '--namespaces-to-ignore', '"b", c'], expect: { namespacesToIgnore: ['a', 'b', 'c'] } },
    { argv: ['--namespaces', '"a"', '--namespaces=b'], expect: { namespaces: ['a', 'b'] } },
    { argv: ['--ignored-workload-types="jobs","cronjobs"'], expect: { ignoredWorkloadTypes: ['Job', 'CronJob'] } },
    { argv: ['--ignored-workload-types=jobs', '--ignored-workload-types=cronjobs'], expect: { ignoredWorkloadTypes: ['Job', 'CronJob'] } },
    { argv: ['--resources-to-ignore="configMaps"'], expect: { resourcesToIgnore: ['ConfigMap'] } },
    // Stakater's chart renders the selectors with literal quotes inside the argument.
    { argv: ['--namespace-selector="env=test"'], expect: { namespaceSelector: 'env=test' } },
    { argv: ['--resource-label-selector="reloader=enabled"'], expect: { resourceLabelSelector: 'reloader=enabled' } },
    { argv: ['--namespace-selector', '"team in (a,b)",tier:*'], expect: { namespaceSelector: 'team in (a,b),tier' } },
    { argv: ['--namespace-selector=team in (a,b)'], expect: { namespaceSelector: 'team in (a,b)' } },
    { argv: ['--namespace-selector="a=b,c=d"', '--namespace-selector', 'e!=f'], expect: { namespaceSelector: 'a=b,c=d,e!=f' } },
  ];
  for (const c of cases) {
    const o = parse(c.argv);
    for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(o[key as keyof RunOptions], value, `${c.argv.join(' ')}: ${key}`);
    assert.deepEqual(o.warnings, [], c.argv.join(' '));
  }
  // "" in a quoted item is one quote, as in CSV; the selector parser then refuses the quote.
  assertMentions(errorOf(['--resource-label-selector="say ""hi""=x"']), '--resource-label-selector', String.raw`"say \"hi\"=x"`, 'label selector');
  // Our own switches keep Go's bool-flag rule: a value only after "=".
  assertMentions(errorOf(['--auto-reload-all', 'true']), 'unexpected argument "true"', '--auto-reload-all=true');
});

test('--stakater-defaults: text logs, the env-vars strategy, Argo Rollouts only when asked for; explicit flags win', () => {
  const o = parse(['--stakater-defaults']);
  assert.equal(o.logFormat, 'text');
  assert.equal(o.reloadStrategy, 'env-vars');
  assert.deepEqual(o.ignoredWorkloadTypes, ['Rollout']);
  const { logFormat, reloadStrategy, ignoredWorkloadTypes, ...rest } = o;
  const { logFormat: _f, reloadStrategy: _s, ignoredWorkloadTypes: _i, ...ours } = parse([]);
  assert.deepEqual(rest, ours, 'nothing else changes');
  assert.deepEqual(parse(['--stakater-defaults=false']), parse([]));
  const explicit = parse(['--stakater-defaults', '--log-format=json', '--reload-strategy', 'hash', '--is-Argo-Rollouts', 'true']);
  assert.equal(explicit.logFormat, 'json');
  assert.equal(explicit.reloadStrategy, 'hash');
  assert.deepEqual(explicit.ignoredWorkloadTypes, []);
  assert.deepEqual(parse(['--is-Argo-Rollouts=true', '--stakater-defaults']).ignoredWorkloadTypes, [], 'the order does not matter');
  const changed = RUN_FLAGS.filter((f) => f.stakaterDefault !== undefined).map((f) => f.flag);
  assert.deepEqual(changed.sort(), ['argo-rollouts', 'log-format', 'reload-strategy']);
  const description = RUN_FLAGS.find((f) => f.flag === 'stakater-defaults')?.description ?? '';
  for (const f of RUN_FLAGS.filter((s) => s.stakaterDefault !== undefined && s.flag !== 'argo-rollouts')) assertMentions(description, `--${f.flag} ${f.stakaterDefault ?? ''}`);
  assertMentions(description, '--is-Argo-Rollouts');
});

test('profiling: off by default; --enable-pprof serves on --pprof-addr, default :6060', () => {
  assert.equal(parse([]).profilingAddress, undefined);
  assert.equal(parse(['--pprof-addr=127.0.0.1:7070']).profilingAddress, undefined, 'the address alone turns nothing on');
  assert.equal(parse(['--enable-pprof']).profilingAddress, ':6060');
  assert.equal(parse(['--enable-pprof', '--pprof-addr', '127.0.0.1:7070']).profilingAddress, '127.0.0.1:7070');
  assertMentions(errorOf(['--enable-pprof', '--pprof-addr=6060']), '--pprof-addr', '"6060"', 'host:port');
});

test('--alert-structured (ALERT_STRUCTURED): the raw sink only; with another sink, a warning says it is ignored', () => {
  const env = { ALERT_ON_RELOAD: 'true', ALERT_WEBHOOK_URL: 'http://h/x' };
  assert.equal(parse([], env).alerts?.structured, false);
  assert.equal(parse(['--alert-structured'], env).alerts?.structured, true);
  assert.equal(parse([], { ...env, ALERT_STRUCTURED: 'true', ALERT_SINK: 'webhook' }).alerts?.structured, true);
  const slack = parse(['--alert-structured', '--alert-sink=slack'], env);
  assert.equal(slack.alerts?.structured, false);
  assert.equal(slack.warnings.length, 1);
  assertMentions(slack.warnings[0] ?? '', '--alert-structured', 'is ignored', 'raw sink', '--alert-sink', '"slack"');
});

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
  for (const bad of [`${long} in (b`, `${long}=${long}=`, `${long} ${long}`, `!${long}=`, `${long}<${long}`, `${long}:${long}:`, `${long}.${long}/x/y`]) {
    assert.throws(() => normalizeLabelSelector(bad), Error, bad.slice(0, 20));
  }
  assert.throws(() => normalizeLabelSelector(`${long}=b`), /label key/, 'a key longer than 63 characters');
});

test('a number flag with 200,000 digits that almost match is rejected within the test timeout (a backtracking pattern takes minutes)', { timeout: 10_000 }, () => {
  assert.throws(() => parse([`--max-rolls-per-second=${'1'.repeat(200_000)}x`]), /is not a number/);
  assert.equal(parse(['--max-rolls-per-second=2.']).maxRollsPerSecond, 2);
});

test('durations: Go syntax in milliseconds', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0], ['2s', 2000], ['500ms', 500], ['1m30s', 90_000], ['1h30m', 5_400_000], ['1.5s', 1500], ['.5s', 500],
    ['250us', 0.25], ['100ns', 0.0001], ['+3s', 3000], ['-1s', -1000],
    ['', undefined], ['5', undefined], ['s', undefined], ['1d', undefined], ['1.s.', undefined], ['2 s', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parseDuration(input), expected, input);
});

test('property: a sum of h/m/s/ms parts parses to its total', () => {
  const part = fc.record({ n: fc.integer({ min: 0, max: 999 }), unit: fc.constantFrom('h', 'm', 's', 'ms') });
  const ms: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
    const text = parts.map((p) => `${p.n}${p.unit}`).join('');
    const total = parts.reduce((sum, p) => sum + p.n * (ms[p.unit] ?? 0), 0);
    assert.equal(parseDuration(text), total);
  }));
});

test('durations follow Go at the edges: unit spellings, bare dots, the 0 special case, int64 nanoseconds', () => {
  const cases: [string, number | undefined][] = [
    ['1.s', 1000], ['1.5µs', 0.0015], ['2μs', 0.002], ['-0', 0], ['+0', 0], ['2562047h', 9_223_369_200_000],
    ['.s', undefined], ['.', undefined], ['-', undefined], ['00', undefined], ['1h-1m', undefined], ['2562048h', undefined],
    ['5toString', undefined], ['5__proto__', undefined], ['1H', undefined], ['1sec', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parseDuration(input), expected, input);
});

test('durations: adversarial and oversized inputs are rejected quickly', () => {
  for (const text of ['10h'.repeat(40) + 'x', '1'.repeat(10_000) + 'x', '1.'.repeat(5_000), '1h'.repeat(5_000), ' '.repeat(10_000)]) {
    assert.equal(parseDuration(text), undefined, text.slice(0, 20));
  }
  assert.equal(parseDuration('1h'.repeat(32)), 32 * 3_600_000, 'up to MAX_DURATION_TEXT characters parse');
});

test('property: the parser accepts exactly the strings of Go\'s duration grammar', () => {
  // The grammar as a reference, run only on short strings (this regex backtracks; the parser must not).
  const grammar = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/u;
  const char = fc.constantFrom('0', '1', '7', '.', '+', '-', 'h', 'm', 's', 'n', 'u', 'µ', 'x', ' ');
  fc.assert(fc.property(fc.array(char, { maxLength: 12 }).map((cs) => cs.join('')), (text) => {
    const reference = /^[+-]?0$/.test(text.trim()) || grammar.test(text.trim());
    assert.equal(parseDuration(text) !== undefined, reference, JSON.stringify(text));
  }), { numRuns: 5000 });
});

test('RUN_FLAGS describes every flag once, with a description; names and aliases are unique', () => {
  const names = RUN_FLAGS.flatMap((f) => [f.flag, ...f.aliases]);
  assert.equal(new Set(names).size, names.length);
  for (const f of RUN_FLAGS) {
    assert.match(f.flag, /^[a-z][a-z0-9-]*$/);
    assert.ok(f.description.length > 10, f.flag);
    assert.equal(f.boolean, f.value === '', `${f.flag}: only switches go without a value placeholder`);
  }
  for (const expected of ['kubeconfig', 'namespaces', 'namespaces-to-ignore', 'namespace-selector', 'resource-label-selector', 'debounce', 'dry-run',
    'field-manager', 'workers', 'max-rolls-per-second', 'max-rolls-burst', 'metrics-address', 'log-format', 'log-level', 'enabled-label',
    'hash-annotation', 'auto-annotation', 'configmap-auto-annotation', 'secret-auto-annotation', 'configmap-annotation', 'secret-annotation',
    'auto-search-annotation', 'search-match-annotation', 'configmap-exclude-annotation', 'secret-exclude-annotation', 'ignore-annotation',
    'pause-deployment-annotation', 'resources-to-ignore', 'auto-reload-all']) {
    assert.ok(names.includes(expected), `--${expected} is in RUN_FLAGS`);
  }
});

test('--help lists every flag and alias in RUN_FLAGS with its default and environment variable', () => {
  const help = formatHelp();
  for (const f of RUN_FLAGS) {
    for (const name of [f.flag, ...f.aliases]) assert.match(help, new RegExp(`--${name}(\\s|$|,)`), `--${name}`);
    if (f.env !== undefined) assert.ok(help.includes(`env ${f.env}`), f.env);
    if (f.default !== undefined && f.default !== '') assert.ok(help.replace(/\s+/g, ' ').includes(`default ${f.default}`), `default of --${f.flag}`);
    if (f.stakaterDefault !== undefined) assert.ok(help.includes(`--stakater-defaults: ${f.stakaterDefault}`), `Stakater's default of --${f.flag}`);
    if (f.stringSwitch) assert.ok(help.includes(`--${f.flag} [true|false]`), `--${f.flag} takes its value apart`);
  }
});
