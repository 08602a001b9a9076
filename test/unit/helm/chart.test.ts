import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isMap, isScalar, parseDocument } from 'yaml';
import type { FlagSpec } from '../../../src/options/flag-spec.ts';
import { RUN_FLAGS } from '../../../src/options/flags.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { WORKLOAD_KINDS } from '../../../src/model/workload-kind.ts';
import { CHART_DIR, CHART_VALUE_COMBINATIONS, DEFAULT_NAMESPACE, renderChart } from '../../../tools/helm/render.ts';

// ---------------------------------------------------------------------------
// The manifests' shapes, as far as these tests read them.

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
}
interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
  readonly verbs: string[];
}
interface RoleManifest extends Manifest {
  readonly rules: PolicyRule[];
}
interface BindingManifest extends Manifest {
  readonly roleRef: { readonly apiGroup: string; readonly kind: string; readonly name: string };
  readonly subjects: { readonly kind: string; readonly name: string; readonly namespace: string }[];
}
interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath: string } };
}
interface Probe {
  readonly httpGet: { readonly path: string; readonly port: string | number };
}
interface Container {
  readonly args: string[];
  readonly env: EnvVar[];
  readonly envFrom?: { readonly secretRef: { readonly name: string } }[];
  readonly ports: { readonly name: string; readonly containerPort: number }[];
  readonly livenessProbe: Probe;
  readonly readinessProbe: Probe;
  readonly securityContext: Record<string, unknown>;
  readonly resources: Record<string, unknown>;
}
interface DeploymentManifest extends Manifest {
  readonly spec: {
    readonly replicas: number;
    readonly template: {
      readonly spec: {
        readonly serviceAccountName: string;
        readonly securityContext: Record<string, unknown>;
        readonly containers: Container[];
      };
    };
  };
}
interface ServiceManifest extends Manifest {
  readonly spec: {
    readonly ports: { readonly name: string; readonly port: number; readonly targetPort: string | number }[];
  };
}
interface ServiceMonitorManifest extends Manifest {
  readonly spec: { readonly endpoints: { readonly port: string; readonly path: string; readonly interval: string }[] };
}
interface PdbManifest extends Manifest {
  readonly spec: { readonly minAvailable: number };
}

/** The shape of each kind the chart renders. */
interface ByKind {
  readonly Deployment: DeploymentManifest;
  readonly ServiceAccount: Manifest;
  readonly Service: ServiceManifest;
  readonly ServiceMonitor: ServiceMonitorManifest;
  readonly PodDisruptionBudget: PdbManifest;
  readonly ClusterRole: RoleManifest;
  readonly Role: RoleManifest;
  readonly ClusterRoleBinding: BindingManifest;
  readonly RoleBinding: BindingManifest;
}

async function render(values: Record<string, unknown> = {}, namespace?: string): Promise<Manifest[]> {
  return (await renderChart({ values, ...(namespace === undefined ? {} : { namespace }) })) as Manifest[];
}

function all(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

function only<K extends keyof ByKind>(manifests: readonly Manifest[], kind: K, namespace?: string): ByKind[K] {
  const found = all(manifests, kind).filter((m) => namespace === undefined || m.metadata.namespace === namespace);
  assert.equal(
    found.length,
    1,
    `exactly one ${kind}${namespace === undefined ? '' : ` in ${namespace}`}, found ${found.length}`,
  );
  return found[0] as ByKind[K];
}

function container(manifests: readonly Manifest[]): Container {
  const containers = only(manifests, 'Deployment').spec.template.spec.containers;
  assert.equal(containers.length, 1);
  return containers[0] as Container;
}

const argsOf = (manifests: readonly Manifest[]): string[] => container(manifests).args;

// ---------------------------------------------------------------------------
// Flags and values.yaml.

/** Flags that are no `config` value, and where the chart gets them instead (values.yaml lists them too). */
const HANDLED_ELSEWHERE: Readonly<Record<string, string>> = {
  kubeconfig: 'not exposed: the in-cluster service account',
  namespaces: 'watchNamespaces',
  'workload-kind': 'workloadKinds',
  'enable-ha': 'ha.enabled',
  'leader-election-id': 'ha.leaseName',
  'leader-election-namespace': 'the release namespace (POD_NAMESPACE)',
  'leader-election-lease-duration': 'ha.leaseDuration',
  'leader-election-renew-deadline': 'ha.renewDeadline',
  'leader-election-retry-period': 'ha.retryPeriod',
  'pod-name': 'POD_NAME from the downward API',
  'pod-namespace': 'POD_NAMESPACE from the downward API',
  'alert-webhook-url': 'ALERT_WEBHOOK_URL from envFromSecret',
};

/** The config key of a flag: its name in camelCase, with ConfigMap and CronJob spelled as the kinds. */
const camel = (flag: string): string =>
  flag
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    .replace(/onfigmap/g, 'onfigMap')
    .replace(/ronjob/g, 'ronJob');

const CONFIG_FLAGS: readonly FlagSpec[] = RUN_FLAGS.filter((f) => !(f.flag in HANDLED_ELSEWHERE));

/** What a user would set for flags without a default (any other flag takes its default as a sample). */
const SAMPLES: Readonly<Record<string, string>> = {
  'namespaces-to-ignore': 'kube-system,kube-public',
  'namespace-selector': 'team=payments',
  'resource-label-selector': 'reload=yes',
  'resources-to-ignore': 'secrets',
  'ignored-workload-types': 'jobs,cronjobs',
  'webhook-url': 'https://hooks.example.com/roll',
  'alert-additional-info': 'cluster prod-1',
  'alert-proxy': 'http://proxy.example.com:3128',
  'maintenance-window': 'Mon-Fri 02:00-04:00 Europe/Berlin, Sat 00:00-06:00 UTC',
  'rollout-waves': '1,10%,50%,100%',
};

function sample(f: FlagSpec): string {
  const value = SAMPLES[f.flag] ?? (f.default === '' ? undefined : f.default);
  if (value === undefined) throw new Error(`--${f.flag} has no default: add a sample value for it to SAMPLES`);
  return value;
}

/** What the pod gets from the chart besides its args: the downward API, and the Secret envFromSecret names. */
const POD_ENV = {
  POD_NAME: 'mini-reloader-0',
  POD_NAMESPACE: DEFAULT_NAMESPACE,
  ALERT_WEBHOOK_URL: 'https://chat.example.com/hook',
};

function assertControllerAccepts(args: readonly string[]): void {
  assert.equal(args[0], 'run');
  assert.doesNotThrow(() => parseRunOptions(args.slice(1), POD_ENV), `mini-reloader run accepts ${args.join(' ')}`);
}

const valuesText = readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8');

describe('values.yaml and the flags', () => {
  const doc = parseDocument(valuesText);
  const config = doc.get('config', true);
  assert.ok(isMap(config), 'values.yaml has a config map');
  const keys = config.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ''));

  test('every flag has a config value or is handled elsewhere, and no config value is unknown', () => {
    const known = new Set(RUN_FLAGS.map((f) => f.flag));
    for (const flag of Object.keys(HANDLED_ELSEWHERE))
      assert.ok(known.has(flag), `--${flag} is listed as handled elsewhere but is no flag any more`);
    const expected = CONFIG_FLAGS.map((f) => camel(f.flag));
    assert.deepEqual(
      [...keys].sort(),
      [...expected].sort(),
      'config keys in values.yaml = the flags in RUN_FLAGS, in camelCase',
    );
  });

  test('values.yaml names every flag handled elsewhere', () => {
    for (const flag of Object.keys(HANDLED_ELSEWHERE))
      assert.match(valuesText, new RegExp(`--${flag}\\b`), `values.yaml says where --${flag} comes from`);
  });

  test("each config value is documented with the flag's default", () => {
    config.items.forEach((pair, i) => {
      assert.ok(isScalar(pair.key));
      const key = String(pair.key.value);
      const flag = CONFIG_FLAGS.find((f) => camel(f.flag) === key);
      assert.ok(flag !== undefined, `config.${key} is a flag`);
      // The yaml parser gives the first entry's comment to the map.
      const comment = `${i === 0 ? (config.commentBefore ?? '') : ''}\n${pair.key.commentBefore ?? ''}`;
      assert.ok(comment.trim().length > 20, `config.${key} has a comment saying what it does`);
      if (flag.default !== undefined && flag.default !== '')
        assert.ok(
          comment.includes(`Default: ${flag.default}.`),
          `config.${key}'s comment says "Default: ${flag.default}."`,
        );
      else assert.ok(comment.includes('Default: '), `config.${key}'s comment says what happens without it`);
    });
  });

  test('values.schema.json refuses exactly the unknown config keys', async () => {
    const schema = JSON.parse(readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')) as {
      properties: { config: { additionalProperties: boolean; properties: Record<string, unknown> } };
    };
    assert.deepEqual(Object.keys(schema.properties.config.properties).sort(), [...keys].sort());
    assert.equal(schema.properties.config.additionalProperties, false);
    await assert.rejects(render({ config: { debouce: '5s' } }), /debouce/);
  });
});

describe('args', () => {
  test("by default only `run` is passed; the flags keep the controller's defaults", async () => {
    const manifests = await render();
    assert.deepEqual(argsOf(manifests), ['run']);
    assertControllerAccepts(argsOf(manifests));
  });

  test('POD_NAME and POD_NAMESPACE always come from the downward API', async () => {
    for (const values of [{}, { ha: { enabled: true } }]) {
      const env = container(await render(values)).env;
      assert.deepEqual(env.slice(0, 2), [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ]);
    }
  });

  for (const switches of [true, false]) {
    test(`each config value set (switches ${String(switches)}) passes exactly its --flag=value`, async () => {
      const values = Object.fromEntries(CONFIG_FLAGS.map((f) => [camel(f.flag), f.boolean ? switches : sample(f)]));
      const expected = CONFIG_FLAGS.map((f) => `--${f.flag}=${f.boolean ? String(switches) : sample(f)}`);
      const args = argsOf(await render({ config: values }));
      assert.equal(args[0], 'run');
      assert.deepEqual(args.slice(1).sort(), expected.sort());
      assertControllerAccepts(args);
    });
  }

  test('lists may be YAML lists; numbers are passed as typed; null and "" pass nothing', async () => {
    const args = argsOf(
      await render({
        config: {
          ignoredWorkloadTypes: ['jobs', 'cronjobs'],
          workers: 8,
          maxRollsPerSecond: 0.5,
          maxRollsBurst: 1000000,
          debounce: null,
          logLevel: '',
        },
      }),
    );
    assert.deepEqual(args, [
      'run',
      '--ignored-workload-types=jobs,cronjobs',
      '--max-rolls-burst=1000000',
      '--max-rolls-per-second=0.5',
      '--workers=8',
    ]);
    assertControllerAccepts(args);
  });

  test('watchNamespaces passes --namespaces; ha passes --enable-ha and the lease settings', async () => {
    assert.deepEqual(argsOf(await render({ watchNamespaces: ['a', 'b'] })), ['run', '--namespaces=a,b']);
    const args = argsOf(
      await render({ ha: { enabled: true, leaseDuration: '30s', renewDeadline: '20s', retryPeriod: '4s' } }),
    );
    assert.deepEqual(args, [
      'run',
      '--enable-ha=true',
      '--leader-election-id=mini-reloader',
      '--leader-election-lease-duration=30s',
      '--leader-election-renew-deadline=20s',
      '--leader-election-retry-period=4s',
    ]);
    assertControllerAccepts(args);
  });

  test('every combination meant for a real cluster renders args the controller accepts', async () => {
    for (const [name, values] of Object.entries(CHART_VALUE_COMBINATIONS)) {
      const manifests = await render(values);
      assert.ok(manifests.length > 0, name);
      assertControllerAccepts(argsOf(manifests));
    }
  });

  test('values the controller would refuse, or that would run two writers, fail to render', async () => {
    await assert.rejects(
      render({ watchNamespaces: ['a'], config: { namespaceSelector: 'team=a' } }),
      /namespaceSelector/,
    );
    await assert.rejects(render({ watchNamespaces: ['a'], config: { namespacesToIgnore: 'b' } }), /namespacesToIgnore/);
    await assert.rejects(render({ replicaCount: 2 }), /ha\.enabled/);
  });
});

// ---------------------------------------------------------------------------
// RBAC.

const READ = ['get', 'list', 'watch'];
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '');

/** Each permission a rule grants, as `group/resource:verb` ("" is the core group). */
function grants(rules: readonly PolicyRule[]): string[] {
  const out = rules.flatMap((r) => {
    assert.equal(r.nonResourceURLs, undefined);
    return (r.apiGroups ?? []).flatMap((g) =>
      (r.resources ?? []).flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)),
    );
  });
  assert.equal(new Set(out).size, out.length, `no permission granted twice: ${out.join(' ')}`);
  return out.sort();
}

const perms = (group: string, resources: readonly string[], verbs: readonly string[]): string[] =>
  resources.flatMap((r) => verbs.map((v) => `${group}/${r}:${v}`));

/** Every workload kind: read and patch (rolls and records are patches); Jobs are recreated, and CronJob rolls start Jobs. */
function workloadPerms(skip: readonly string[] = []): string[] {
  return WORKLOAD_KINDS.filter((k) => !skip.includes(k.resource)).flatMap((k) =>
    perms(
      groupOf(k.apiVersion),
      [k.resource],
      [...READ, 'patch', ...(k.resource === 'jobs' ? ['create', 'delete'] : [])],
    ),
  );
}

/** What each Role grants in namespaced mode, where the controller does not watch Namespaces. */
const NAMESPACED_GRANTS = [
  ...perms('', ['configmaps', 'secrets'], READ),
  // The controller posts core/v1 Events only, and never patches one.
  ...perms('', ['events'], ['create']),
  ...workloadPerms(),
].sort();

/** Cluster-wide, Namespaces too: for --namespace-selector and for the freeze and maintenance windows on them. */
const DEFAULT_GRANTS = [...NAMESPACED_GRANTS, ...perms('', ['namespaces'], ['list', 'watch'])].sort();

async function clusterGrants(values: Record<string, unknown>): Promise<string[]> {
  const manifests = await render(values);
  const role = only(manifests, 'ClusterRole');
  for (const r of role.rules) assert.equal(r.resourceNames, undefined);
  return grants(role.rules);
}

describe('RBAC', () => {
  test('by default: exactly the ClusterRole the controller uses, bound to its ServiceAccount', async () => {
    const manifests = await render({}, 'ops');
    const role = only(manifests, 'ClusterRole');
    assert.deepEqual(grants(role.rules), DEFAULT_GRANTS);
    const binding = only(manifests, 'ClusterRoleBinding');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    const sa = only(manifests, 'ServiceAccount');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'ops' }]);
    assert.equal(only(manifests, 'Deployment').spec.template.spec.serviceAccountName, sa.metadata.name);
    assert.deepEqual(all(manifests, 'Role'), []);
    assert.deepEqual(all(manifests, 'RoleBinding'), []);
  });

  test('ignored workload types lose their rules', async () => {
    assert.deepEqual(
      await clusterGrants({ config: { ignoredWorkloadTypes: 'jobs,cronjobs,rollouts' } }),
      [
        ...perms('', ['configmaps', 'secrets'], READ),
        ...perms('', ['events'], ['create']),
        ...perms('', ['namespaces'], ['list', 'watch']),
        ...workloadPerms(['jobs', 'cronjobs', 'rollouts']),
      ].sort(),
    );
    assert.deepEqual(
      await clusterGrants({ config: { ignoredWorkloadTypes: ['Deployments', 'statefulset'] } }),
      DEFAULT_GRANTS.filter((g) => !/^apps\/(deployments|statefulsets):/.test(g)),
    );
  });

  test("enableCsiIntegration adds read access to the CSI driver's pod statuses and classes, and only it does", async () => {
    assert.deepEqual(
      await clusterGrants({ config: { enableCsiIntegration: true } }),
      [
        ...DEFAULT_GRANTS,
        ...perms('secrets-store.csi.x-k8s.io', ['secretproviderclasspodstatuses', 'secretproviderclasses'], READ),
      ].sort(),
    );
    assert.deepEqual(await clusterGrants({ config: { enableCsiIntegration: false } }), DEFAULT_GRANTS);
    const args: string[] =
      only(await render({ config: { enableCsiIntegration: true } }), 'Deployment').spec.template.spec.containers[0]
        ?.args ?? [];
    assert.ok(args.includes('--enable-csi-integration=true'), JSON.stringify(args));
  });

  test('argoRollouts false drops rollouts', async () => {
    assert.deepEqual(
      await clusterGrants({ config: { argoRollouts: false } }),
      DEFAULT_GRANTS.filter((g) => !g.startsWith('argoproj.io/')),
    );
    assert.deepEqual(await clusterGrants({ config: { argoRollouts: 'true' } }), DEFAULT_GRANTS);
  });

  test('stakaterDefaults drops rollouts unless argoRollouts is true, as the controller then follows them only when asked', async () => {
    const noRollouts = DEFAULT_GRANTS.filter((g) => !g.startsWith('argoproj.io/'));
    assert.deepEqual(await clusterGrants({ config: { stakaterDefaults: true } }), noRollouts);
    assert.deepEqual(await clusterGrants({ config: { stakaterDefaults: true, argoRollouts: true } }), DEFAULT_GRANTS);
    assert.deepEqual(await clusterGrants({ config: { stakaterDefaults: false } }), DEFAULT_GRANTS);
    for (const config of [
      { stakaterDefaults: true },
      { stakaterDefaults: true, argoRollouts: true },
      { stakaterDefaults: 'false' },
    ]) {
      const args = argsOf(await render({ config }));
      const watchesRollouts = !parseRunOptions(args.slice(1), POD_ENV).ignoredWorkloadTypes.includes('Rollout');
      assert.equal(
        (await clusterGrants({ config })).some((g) => g.startsWith('argoproj.io/')),
        watchesRollouts,
        `RBAC matches what the controller watches: ${JSON.stringify(config)}`,
      );
    }
  });

  test('CronJob rolls keep create on Jobs unless startCronJobRuns is false', async () => {
    const noJobs = DEFAULT_GRANTS.filter((g) => !g.startsWith('batch/jobs:'));
    assert.deepEqual(
      await clusterGrants({ config: { ignoredWorkloadTypes: 'jobs' } }),
      [...noJobs, 'batch/jobs:create'].sort(),
    );
    assert.deepEqual(
      await clusterGrants({ config: { ignoredWorkloadTypes: 'jobs', startCronJobRuns: false } }),
      noJobs,
    );
    assert.deepEqual(await clusterGrants({ config: { startCronJobRuns: false } }), DEFAULT_GRANTS);
  });

  test('resourcesToIgnore drops that kind of config', async () => {
    assert.deepEqual(
      await clusterGrants({ config: { resourcesToIgnore: 'configMaps' } }),
      DEFAULT_GRANTS.filter((g) => !g.startsWith('/configmaps:')),
    );
    assert.deepEqual(
      await clusterGrants({ config: { resourcesToIgnore: 'secrets' } }),
      DEFAULT_GRANTS.filter((g) => !g.startsWith('/secrets:')),
    );
  });

  test('dryRun leaves only reads on workloads; webhookUrl never creates or deletes Jobs', async () => {
    assert.deepEqual(
      await clusterGrants({ config: { dryRun: true } }),
      DEFAULT_GRANTS.filter((g) => !/:(patch|delete)$/.test(g) && !g.startsWith('batch/jobs:create')),
    );
    assert.deepEqual(
      await clusterGrants({ config: { webhookUrl: 'https://hooks.example.com/roll' } }),
      DEFAULT_GRANTS.filter((g) => !/^batch\/jobs:(create|delete)$/.test(g)),
    );
  });

  test('namespaceSelector needs nothing more: cluster-wide, namespaces are always listed and watched', async () => {
    assert.deepEqual(await clusterGrants({ config: { namespaceSelector: 'team=a' } }), DEFAULT_GRANTS);
  });

  test('ha: a Role for its Lease in the release namespace, get/create/update only', async () => {
    const manifests = await render({ ha: { enabled: true } }, 'ops');
    const role = only(manifests, 'Role');
    assert.equal(role.metadata.namespace, 'ops');
    assert.deepEqual(grants(role.rules), perms('coordination.k8s.io', ['leases'], ['create', 'get', 'update']).sort());
    const leaseId = argsOf(manifests)
      .find((a) => a.startsWith('--leader-election-id='))
      ?.split('=')[1];
    for (const rule of role.rules) {
      // create cannot name its object; get and update are limited to the controller's Lease.
      if (!rule.verbs.includes('create')) assert.deepEqual(rule.resourceNames, [leaseId]);
    }
    const binding = only(manifests, 'RoleBinding');
    assert.equal(binding.metadata.namespace, 'ops');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata.name,
    });
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: only(manifests, 'ServiceAccount').metadata.name, namespace: 'ops' },
    ]);
    assert.deepEqual(grants(only(manifests, 'ClusterRole').rules), DEFAULT_GRANTS);
  });

  test('watchNamespaces: a Role and RoleBinding in each, no ClusterRole', async () => {
    const manifests = await render({ watchNamespaces: ['a', 'b'] }, 'ops');
    assert.deepEqual(all(manifests, 'ClusterRole'), []);
    assert.deepEqual(all(manifests, 'ClusterRoleBinding'), []);
    assert.deepEqual(
      all(manifests, 'Role')
        .map((r) => r.metadata.namespace)
        .sort(),
      ['a', 'b'],
    );
    for (const ns of ['a', 'b']) {
      const role = only(manifests, 'Role', ns);
      assert.deepEqual(grants(role.rules), NAMESPACED_GRANTS);
      const binding = only(manifests, 'RoleBinding', ns);
      assert.deepEqual(binding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: role.metadata.name,
      });
      assert.deepEqual(binding.subjects, [
        { kind: 'ServiceAccount', name: only(manifests, 'ServiceAccount').metadata.name, namespace: 'ops' },
      ]);
    }
  });

  test('no rule anywhere writes ConfigMaps or Secrets, or uses a wildcard', async () => {
    const variants: Record<string, unknown>[] = [
      ...Object.values(CHART_VALUE_COMBINATIONS),
      { ha: { enabled: true }, watchNamespaces: ['a'] },
      { config: { namespaceSelector: 'team=a', resourcesToIgnore: 'secrets' } },
      { config: { webhookUrl: 'https://hooks.example.com/roll', dryRun: true } },
    ];
    for (const values of variants) {
      const manifests = await render(values);
      const roles = [...all(manifests, 'ClusterRole'), ...all(manifests, 'Role')] as RoleManifest[];
      assert.ok(roles.length > 0);
      for (const g of roles.flatMap((r) => grants(r.rules))) {
        assert.ok(!g.includes('*'), `no wildcard: ${g}`);
        if (/^\/(configmaps|secrets):/.test(g))
          assert.ok(READ.includes(g.split(':')[1] ?? ''), `${g} is read-only (values ${JSON.stringify(values)})`);
      }
    }
  });

  test('rbac.create false renders no RBAC', async () => {
    const manifests = await render({ rbac: { create: false }, ha: { enabled: true } });
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'])
      assert.deepEqual(all(manifests, kind), []);
  });
});

// ---------------------------------------------------------------------------
// The pod and the objects around it.

describe('pod, probes and optional objects', () => {
  test('the pod runs as non-root with a read-only root and no privileges', async () => {
    const manifests = await render();
    const pod = only(manifests, 'Deployment').spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.runAsUser, 65532);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    const sc = container(manifests).securityContext;
    assert.equal(sc.runAsNonRoot, true);
    assert.equal(sc.runAsUser, 65532);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
    assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' });
  });

  test('the pod requests and is limited to what the kustomize base ships', async () => {
    const base = parseDocument(
      readFileSync(path.join(CHART_DIR, '..', '..', 'kustomize', 'base', 'deployment.yaml'), 'utf8'),
    ).toJS() as DeploymentManifest;
    const shipped = base.spec.template.spec.containers[0]?.resources;
    assert.ok(shipped?.limits !== undefined, 'the kustomize base sets limits');
    assert.deepEqual(container(await render()).resources, shipped);
  });

  test('probes hit /live and /readyz on the metrics port, which the Service exposes', async () => {
    const manifests = await render();
    const c = container(manifests);
    assert.deepEqual(
      c.ports.map((p) => [p.name, p.containerPort]),
      [['metrics', 9090]],
    );
    assert.deepEqual(c.livenessProbe.httpGet, { path: '/live', port: 'metrics' });
    assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'metrics' });
    const service = only(manifests, 'Service');
    assert.deepEqual(
      service.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
      [['metrics', 9090, 'metrics']],
    );
    const moved = container(await render({ config: { metricsAddress: ':8080' } }));
    assert.deepEqual(
      moved.ports.map((p) => [p.name, p.containerPort]),
      [['metrics', 8080]],
    );
  });

  test('the ServiceMonitor appears only when enabled', async () => {
    assert.deepEqual(all(await render(), 'ServiceMonitor'), []);
    const manifests = await render({
      serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
    });
    const monitor = only(manifests, 'ServiceMonitor');
    assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(monitor.metadata.labels?.release, 'prometheus');
    assert.deepEqual(
      monitor.spec.endpoints.map((e) => [e.port, e.path, e.interval]),
      [['metrics', '/metrics', '15s']],
    );
  });

  test('the PodDisruptionBudget and two replicas come only with ha', async () => {
    const plain = await render();
    assert.deepEqual(all(plain, 'PodDisruptionBudget'), []);
    assert.equal(only(plain, 'Deployment').spec.replicas, 1);
    const ha = await render({ ha: { enabled: true } });
    const pdb = only(ha, 'PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.equal(pdb.spec.minAvailable, 1);
    assert.equal(only(ha, 'Deployment').spec.replicas, 2);
  });

  test('env and envFromSecret reach the container', async () => {
    const c = container(await render({ env: [{ name: 'ALERT_SINK', value: 'slack' }], envFromSecret: 'alerts' }));
    assert.deepEqual(
      c.env.map((e) => e.name),
      ['POD_NAME', 'POD_NAMESPACE', 'ALERT_SINK'],
    );
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'alerts' } }]);
    assert.equal(container(await render()).envFrom, undefined);
  });
});
