import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_FLAGS } from '../../../src/options/flags.ts';
import type { RunOptions } from '../../../src/options/run-options.ts';
import { assertMentions, errorOf, parse } from './parse-helpers.ts';

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
  assert.equal(o.csiIntegration, false);
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
    secretProviderClassAuto: 'secretproviderclass.reloader.stakater.com/auto',
    secretProviderClassReload: 'secretproviderclass.reloader.stakater.com/reload',
    secretProviderClassExclude: 'secretproviderclasses.exclude.reloader.stakater.com/reload',
    ignore: 'reloader.stakater.com/ignore',
    pausePeriod: 'deployment.reloader.stakater.com/pause-period',
    pausedAt: 'deployment.reloader.stakater.com/paused-at',
    rolledAt: 'mini-reloader.pelabs/rolled-at',
    rolloutStrategy: 'reloader.stakater.com/rollout-strategy',
    freeze: 'mini-reloader.pelabs/freeze',
    maintenanceWindow: 'mini-reloader.pelabs/maintenance-window',
    rolloutWaves: 'mini-reloader.pelabs/rollout-waves',
    waveTimeout: 'mini-reloader.pelabs/wave-timeout',
    resume: 'mini-reloader.pelabs/resume',
    canary: 'mini-reloader.pelabs/canary',
    halted: 'mini-reloader.pelabs/halted',
  });
});

test('the result is frozen', () => {
  const o = parse(['--namespaces=a']);
  assert.ok(Object.isFrozen(o));
  assert.ok(Object.isFrozen(o.annotations));
  assert.ok(Object.isFrozen(o.namespaces));
});

test('boolean flags: bare, =true, =false, and Go-style spellings', () => {
  const env = { POD_NAME: 'p', POD_NAMESPACE: 'ns', ALERT_WEBHOOK_URL: 'http://alerts.example/hook' };
  for (const f of RUN_FLAGS.filter((s) => s.boolean)) {
    const name = `--${f.flag}`;
    // --alert-structured shapes alerts, so it shows only with alerts on.
    const parseRunOptions = (argv: string[], e: Record<string, string>): RunOptions =>
      parse(f.flag === 'alert-structured' ? ['--alert-on-reload', ...argv] : argv, e);
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
    assert.deepEqual(
      parseRunOptions([], env),
      f.default === 'true' ? on : off,
      `${name} defaults to ${f.default ?? ''}`,
    );
  }
  assert.equal(parse(['--dry-run']).dryRun, true);
  assert.equal(parse(['--auto-reload-all=true']).autoReloadAll, true);
});

test('a scalar flag given twice: the last value wins (as with Go flags)', () => {
  assert.equal(parse(['--workers=2', '--workers=8']).workers, 8);
  assert.equal(parse(['--log-format=text', '--log-format', 'json']).logFormat, 'json');
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

test("Stakater's reload flags: strategies, create/delete, ignored workload types, Argo Rollouts", () => {
  assert.equal(parse(['--reload-strategy=env-vars']).reloadStrategy, 'env-vars');
  assert.equal(parse(['--reload-strategy', 'Annotations']).reloadStrategy, 'annotations');
  assertMentions(
    errorOf(['--reload-strategy=restart']),
    '--reload-strategy',
    '"restart"',
    'hash, env-vars, annotations',
  );
  assert.deepEqual(parse(['--ignored-workload-types=jobs,cronjobs']).ignoredWorkloadTypes, ['Job', 'CronJob']);
  assert.deepEqual(parse(['--is-Argo-Rollouts=false']).ignoredWorkloadTypes, ['Rollout']);
  assertMentions(errorOf(['--ignored-workload-types=pods']), '--ignored-workload-types', '"pods"', 'jobs');
  assertMentions(
    errorOf(['--ignored-workload-types=deployments,statefulsets,daemonsets,cronjobs,jobs,rollouts']),
    'nothing to roll',
  );
  assert.equal(
    parse(['--webhook-url=https://hooks.example.com/T0/secret']).webhookUrl,
    'https://hooks.example.com/T0/secret',
  );
  const bad = errorOf(['--webhook-url=ftp://hooks.example.com/secret-token']);
  assertMentions(bad, '--webhook-url', 'ftp:');
  assert.equal(bad.includes('secret-token'), false, 'a webhook URL may hold a token: never echoed');
  assert.equal(parse([], { METRICS_COUNT_BY_NAMESPACE: 'enabled' }).metricsByNamespace, true);
});

test("alerts: Stakater's ALERT_* variables, its sink names, and a URL that is never echoed", () => {
  assert.equal(parse([]).alerts, undefined);
  assert.equal(
    parse([], { ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0' }).alerts,
    undefined,
    'as in Stakater v1.4, ALERT_ON_RELOAD turns alerts on',
  );
  assert.deepEqual(
    parse([], {
      ALERT_ON_RELOAD: 'true',
      ALERT_SINK: 'Slack',
      ALERT_WEBHOOK_URL: ' https://hooks.slack.com/services/T0 ',
      ALERT_ADDITIONAL_INFO: ' Cluster: prod ',
      ALERT_WEBHOOK_PROXY: 'http://proxy:3128',
    }).alerts,
    {
      sink: 'slack',
      url: 'https://hooks.slack.com/services/T0',
      additionalInfo: 'Cluster: prod',
      proxy: 'http://proxy:3128',
      structured: false,
    },
  );
  assert.equal(parse([], { ALERT_ON_RELOAD: 'true', ALERT_WEBHOOK_URL: 'http://h/x' }).alerts?.sink, 'raw');
  assert.equal(
    parse([], { ALERT_ON_RELOAD: 'true', ALERT_SINK: 'webhook', ALERT_WEBHOOK_URL: 'http://h/x' }).alerts?.sink,
    'raw',
  );
  assert.equal(
    parse(['--alert-on-reload', '--alert-sink=gchat', '--alert-webhook-url=http://h/x']).alerts?.sink,
    'gchat',
  );
  assertMentions(errorOf([], { ALERT_ON_RELOAD: 'true' }), 'ALERT_ON_RELOAD', 'ALERT_WEBHOOK_URL');
  assertMentions(
    errorOf([], { ALERT_ON_RELOAD: 'true', ALERT_SINK: 'pager', ALERT_WEBHOOK_URL: 'http://h/x' }),
    'ALERT_SINK',
    '"pager"',
    'slack, teams, gchat, raw',
  );
  const bad = errorOf([], { ALERT_ON_RELOAD: 'true', ALERT_WEBHOOK_URL: 'hooks.slack.com/services/SECRET' });
  assertMentions(bad, 'ALERT_WEBHOOK_URL', 'not an absolute URL');
  assert.equal(bad.includes('SECRET'), false);
});

test('--enable-ha needs POD_NAME and a namespace, and the Lease timings in order', () => {
  assertMentions(errorOf(['--enable-ha'], { POD_NAMESPACE: 'ns' }), '--enable-ha', 'POD_NAME');
  assertMentions(errorOf(['--enable-ha'], { POD_NAME: 'p' }), '--enable-ha', 'POD_NAMESPACE');
  assert.deepEqual(parse(['--enable-ha'], { POD_NAME: 'p', POD_NAMESPACE: 'ns' }).ha, {
    leaseName: 'mini-reloader',
    leaseNamespace: 'ns',
    identity: 'p',
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2000,
  });
  assert.equal(
    parse(['--enable-ha', '--leader-election-namespace=ops'], { POD_NAME: 'p', POD_NAMESPACE: 'ns' }).ha
      ?.leaseNamespace,
    'ops',
  );
  assertMentions(
    errorOf(['--enable-ha', '--leader-election-renew-deadline=20s'], { POD_NAME: 'p', POD_NAMESPACE: 'ns' }),
    '--leader-election-renew-deadline',
    'below --leader-election-lease-duration',
  );
});

test('--namespaces (or KUBERNETES_NAMESPACE) with a namespace selector or ignore list: as Stakater, a warning says what is ignored, and the rest runs', () => {
  const cases: { argv: string[]; env?: Record<string, string>; namespaces: string[]; mentions: string[][] }[] = [
    {
      argv: ['--namespaces=a', '--namespace-selector=team=x'],
      namespaces: ['a'],
      mentions: [['--namespace-selector', '"team=x"', 'is ignored', '--namespaces (namespaced mode)', 'a']],
    },
    {
      argv: ['--namespaces=a,b', '--namespaces-to-ignore=c'],
      namespaces: ['a', 'b'],
      mentions: [['--namespaces-to-ignore', '"c"', 'is ignored', '--namespaces (namespaced mode)', 'a, b']],
    },
    {
      argv: ['--namespace-selector', 'team=x'],
      env: { KUBERNETES_NAMESPACE: 'a' },
      namespaces: ['a'],
      mentions: [['--namespace-selector', '"team=x"', 'KUBERNETES_NAMESPACE (single-namespace mode)']],
    },
    {
      argv: ['--namespaces-to-ignore=b', '--namespace-selector=team=x'],
      env: { KUBERNETES_NAMESPACE: 'a' },
      namespaces: ['a'],
      mentions: [
        ['--namespace-selector', 'KUBERNETES_NAMESPACE'],
        ['--namespaces-to-ignore', '"b"', 'KUBERNETES_NAMESPACE'],
      ],
    },
  ];
  for (const c of cases) {
    const o = parse(c.argv, c.env);
    assert.deepEqual(o.namespaces, c.namespaces);
    assert.equal(o.namespaceSelector, undefined, 'the selector is ignored');
    assert.deepEqual(o.namespacesToIgnore, [], 'the ignore list is ignored');
    assert.equal(o.warnings.length, c.mentions.length, JSON.stringify(o.warnings));
    c.mentions.forEach((parts, i) => {
      assertMentions(o.warnings[i] ?? '', ...parts);
    });
  }
  // Each alone is fine, and the selector with the ignore list too: no warning.
  const both = parse(['--namespace-selector=team=x', '--namespaces-to-ignore=b']);
  assert.equal(both.namespaceSelector, 'team=x');
  assert.deepEqual(both.namespacesToIgnore, ['b']);
  assert.deepEqual(both.warnings, []);
});

test('a bad --log-format or --log-level is, as in Stakater, a warning naming it, and the default applies', () => {
  const o = parse(['--log-format=xml', '--log-level', 'verbose']);
  assert.equal(o.logFormat, 'json');
  assert.equal(o.logLevel, 'info');
  assert.equal(o.warnings.length, 2);
  assertMentions(o.warnings[0] ?? '', '--log-format', '"xml"', 'json, text', 'ignored', 'the default "json"');
  assertMentions(
    o.warnings[1] ?? '',
    '--log-level',
    '"verbose"',
    'trace',
    'debug',
    'info',
    'warn',
    'error',
    'the default "info"',
  );
  const stakater = parse(['--stakater-defaults', '--log-format=logfmt']);
  assert.equal(stakater.logFormat, 'text');
  assertMentions(stakater.warnings[0] ?? '', 'the default "text"');
  assert.deepEqual(parse(['--log-format=text']).warnings, []);
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
  const explicit = parse([
    '--stakater-defaults',
    '--log-format=json',
    '--reload-strategy',
    'hash',
    '--is-Argo-Rollouts',
    'true',
  ]);
  assert.equal(explicit.logFormat, 'json');
  assert.equal(explicit.reloadStrategy, 'hash');
  assert.deepEqual(explicit.ignoredWorkloadTypes, []);
  assert.deepEqual(
    parse(['--is-Argo-Rollouts=true', '--stakater-defaults']).ignoredWorkloadTypes,
    [],
    'the order does not matter',
  );
  const changed = RUN_FLAGS.filter((f) => f.stakaterDefault !== undefined).map((f) => f.flag);
  assert.deepEqual(changed.sort(), ['argo-rollouts', 'log-format', 'reload-strategy']);
  const description = RUN_FLAGS.find((f) => f.flag === 'stakater-defaults')?.description ?? '';
  for (const f of RUN_FLAGS.filter((s) => s.stakaterDefault !== undefined && s.flag !== 'argo-rollouts'))
    assertMentions(description, `--${f.flag} ${f.stakaterDefault ?? ''}`);
  assertMentions(description, '--is-Argo-Rollouts');
});

test('profiling: off by default; --enable-pprof serves on --pprof-addr, default :6060', () => {
  assert.equal(parse([]).profilingAddress, undefined);
  assert.equal(
    parse(['--pprof-addr=127.0.0.1:7070']).profilingAddress,
    undefined,
    'the address alone turns nothing on',
  );
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
