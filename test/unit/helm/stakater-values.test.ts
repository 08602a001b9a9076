import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { STAKATER_KEYS } from '../../../src/migrate/stakater-keys.ts';
import { migrateStakaterValues } from '../../../src/migrate/stakater-values.ts';
import { CHART_DIR, DEFAULT_NAMESPACE, renderChart } from '../../../tools/helm/render.ts';

// Values files written for these tests from the keys Stakater's chart 2.2.x documents.
const FIXTURES_DIR = path.join(import.meta.dirname, 'stakater-values');
const FIXTURES = readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
type Values = Record<string, unknown>;
const fixture = (name: string): Values => parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as Values;
const OUR_IMAGE = { repository: 'ghcr.io/pelabs/mini-reloader' };

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  rules?: { resources?: string[]; verbs?: string[] }[];
  stringData?: Record<string, string>;
}
interface Container {
  args: string[];
  env: { name: string; value?: string; valueFrom?: unknown }[];
  image: string;
  securityContext: Values;
  resources: Values;
}
interface PodSpec {
  containers: Container[];
  affinity?: Values;
  tolerations?: unknown[];
  securityContext: Values;
}

async function render(values: Values): Promise<Manifest[]> {
  return (await renderChart({ values })) as Manifest[];
}
const of = (manifests: Manifest[], kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
function pod(manifests: Manifest[]): PodSpec {
  const [deployment] = of(manifests, 'Deployment');
  return (deployment?.spec as { template: { spec: PodSpec } }).template.spec;
}
const args = (manifests: Manifest[]): string[] => pod(manifests).containers[0]?.args ?? [];

/** The leaves of `values` that are keys of Stakater's chart (a map the chart passes on whole is one key). */
function stakaterKeysIn(values: unknown, prefix = ''): string[] {
  if (prefix !== '' && STAKATER_KEYS.includes(prefix)) return [prefix];
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return [];
  return Object.entries(values).flatMap(([k, v]) => stakaterKeysIn(v, prefix === '' ? k : `${prefix}.${k}`));
}

/** Values the chart cannot honour: each fails the render with a message naming `names`. */
const REFUSED: readonly { readonly values: Values; readonly names: RegExp }[] = [
  { values: { reloader: { isOpenshift: true } }, names: /reloader\.isOpenshift/ },
  {
    values: { reloader: { ignoreSecrets: true, ignoreConfigMaps: true } },
    names: /reloader\.ignoreSecrets and reloader\.ignoreConfigMaps/,
  },
  { values: { reloader: { deployment: { gomaxprocsOverride: '2' } } }, names: /gomaxprocsOverride/ },
  { values: { reloader: { deployment: { gomemlimitOverride: '100MiB' } } }, names: /gomemlimitOverride/ },
  {
    values: { reloader: { deployment: { automountServiceAccountToken: false } } },
    names: /reloader\.deployment\.automountServiceAccountToken/,
  },
  { values: { reloader: { podMonitor: { enabled: true } } }, names: /reloader\.podMonitor/ },
  { values: { reloader: { netpol: { enabled: true } } }, names: /reloader\.netpol/ },
  { values: { reloader: { verticalPodAutoscaler: { enabled: true } } }, names: /reloader\.verticalPodAutoscaler/ },
  { values: { reloader: { watchGlobally: true, namespaces: ['a'] } }, names: /reloader\.namespaces/ },
  {
    values: { reloader: { watchGlobally: false, ignoreNamespaces: 'kube-system' } },
    names: /reloader\.ignoreNamespaces/,
  },
  {
    values: { reloader: { watchGlobally: false, namespaceSelector: 'env=prod' } },
    names: /reloader\.namespaceSelector/,
  },
  { values: { reloader: { podDisruptionBudget: { enabled: true } } }, names: /reloader\.podDisruptionBudget\.enabled/ },
];

describe("Stakater Reloader's chart values", () => {
  test("the schema lists exactly the keys of Stakater's chart, and the values files here and the refusals use every one", () => {
    const schema = JSON.parse(readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')) as Values;
    const leaves = (node: unknown, prefix: string): string[] => {
      const props = (node as { properties?: Record<string, unknown> }).properties;
      if (props === undefined) return [prefix];
      return Object.entries(props).flatMap(([k, v]) => leaves(v, `${prefix}.${k}`));
    };
    const properties = (schema as { properties: Record<string, unknown> }).properties;
    const inSchema = [
      ...['reloader', 'global', 'kubernetes'].flatMap((k) => leaves(properties[k], k)),
      'image.name',
      'image.digest',
      'image.repository',
      'image.tag',
      'image.pullPolicy',
      'nameOverride',
      'fullnameOverride',
    ];
    assert.deepEqual([...new Set(inSchema)].sort(), [...STAKATER_KEYS].sort());
    const used = new Set([...FIXTURES.map(fixture), ...REFUSED.map((r) => r.values)].flatMap((v) => stakaterKeysIn(v)));
    assert.deepEqual(
      STAKATER_KEYS.filter((k) => !used.has(k)),
      [],
      'keys no test uses',
    );
  });

  test("a file of Stakater's defaults (with our image) renders as config.stakaterDefaults alone", async () => {
    const fromStakater = await render(fixture('stakater-defaults.yaml'));
    const ours = await render({ config: { stakaterDefaults: true }, revisionHistoryLimit: 2 });
    assert.deepEqual(fromStakater, ours);
    assert.deepEqual(args(fromStakater), ['run', '--stakater-defaults=true']);
  });

  for (const name of FIXTURES) {
    test(`${name}: the chart renders it as it renders the file migrate-values writes from it`, async () => {
      const stakater = fixture(name);
      const migration = migrateStakaterValues(stakater);
      assert.deepEqual(migration.refused, []);
      assert.deepEqual(await render(stakater), await render(migration.values));
    });
  }

  test("scoped: a Role in the release namespace and in each listed one, HA with a PDB, Stakater's switches as flags", async () => {
    const manifests = await render(fixture('scoped-everything.yaml'));
    assert.deepEqual(of(manifests, 'ClusterRole'), []);
    assert.deepEqual(
      of(manifests, 'Role')
        .filter((r) => r.metadata.name === 'reloader')
        .map((r) => r.metadata.namespace)
        .sort(),
      [DEFAULT_NAMESPACE, 'team-a', 'team-b'],
    );
    const flags = args(manifests);
    for (const flag of [
      '--namespaces=mini-reloader,team-a,team-b',
      '--enable-ha=true',
      '--resources-to-ignore=secrets',
      '--ignored-workload-types=jobs,cronjobs',
      '--reload-strategy=annotations',
      '--argo-rollouts=true',
      '--auto-reload-all=true',
      '--reload-on-create=true',
      '--reload-on-delete=true',
      '--log-format=json',
      '--log-level=debug',
      '--enable-pprof=true',
      '--pprof-addr=127.0.0.1:6061',
      '--metrics-count-by-namespace=enabled',
      '--configmap-annotation=corp.example/configmaps',
      '--pause-deployment-time-annotation=corp.example/paused-at',
      '--stakater-defaults=true',
    ]) {
      assert.ok(flags.includes(flag), `${flag} in ${flags.join(' ')}`);
    }
    assert.equal((of(manifests, 'Deployment')[0]?.spec as { replicas: number }).replicas, 3);
    assert.deepEqual(
      of(manifests, 'PodDisruptionBudget')[0]?.spec?.maxUnavailable,
      1,
      'maxUnavailable wins over minAvailable, as in Stakater',
    );
    assert.equal(
      of(manifests, 'Secret')[0]?.stringData?.ALERT_WEBHOOK_URL,
      'https://hooks.slack.example/T000/B000/XXXX',
    );
    const [c] = pod(manifests).containers;
    assert.ok(c !== undefined);
    assert.equal(
      c.image,
      'registry.example.com/mirror/mini-reloader@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    assert.deepEqual(
      c.env.map((e) => e.name),
      [
        'POD_NAME',
        'POD_NAMESPACE',
        'ALERT_ON_RELOAD',
        'ALERT_SINK',
        'NODE_NAME',
        'ALERT_ADDITIONAL_INFO',
        'ALERT_WEBHOOK_URL',
      ],
    );
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(c.resources, { requests: { cpu: '20m', memory: '128Mi' }, limits: { memory: '384Mi' } });
    assert.ok(
      manifests.every((m) => m.metadata.labels?.team === 'platform'),
      'matchLabels on every object',
    );
  });

  test("cluster-wide: the namespace filters, ConfigMaps ignored, the mirror registry, and Stakater's log level spelling", async () => {
    const manifests = await render(fixture('cluster-wide.yaml'));
    const [role] = of(manifests, 'ClusterRole');
    assert.ok(
      role?.rules?.some((r) => r.resources?.includes('namespaces')),
      'the namespace selector can read namespaces',
    );
    assert.ok(!role?.rules?.some((r) => r.resources?.includes('configmaps')), 'ConfigMaps are not read');
    assert.equal(pod(manifests).containers[0]?.image, 'mirror.example.com/pelabs/mini-reloader:0.1.0');
    const flags = args(manifests);
    for (const flag of [
      '--namespaces-to-ignore=kube-system,kube-public',
      '--namespace-selector=env=prod',
      '--log-level=warning',
      '--webhook-url=https://hooks.example.com/reloader',
    ])
      assert.ok(flags.includes(flag), flag);
  });

  test('watchGlobally false alone watches the release namespace; two replicas without enableHA run one, with a Lease, as in Stakater', async () => {
    const manifests = await render(fixture('single-namespace.yaml'));
    assert.deepEqual(
      of(manifests, 'Role').map((r) => r.metadata.namespace),
      [DEFAULT_NAMESPACE, DEFAULT_NAMESPACE],
    );
    assert.equal((of(manifests, 'Deployment')[0]?.spec as { replicas: number }).replicas, 1);
    assert.ok(args(manifests).includes('--enable-ha=true'));
    assert.deepEqual(of(manifests, 'PodDisruptionBudget'), [], 'no PDB unless reloader.podDisruptionBudget.enabled');
    assert.ok(pod(manifests).affinity?.podAntiAffinity !== undefined, "Stakater's anti-affinity with HA");
  });

  for (const { values, names } of REFUSED) {
    test(`refused with a message naming it: ${JSON.stringify(values)}`, async () => {
      await assert.rejects(render({ image: OUR_IMAGE, ...values }), names);
      assert.match(migrateStakaterValues(values).refused.join('\n'), names, 'migrate-values refuses it too');
    });
  }

  test('an image that is not mini-reloader fails the render, however it is spelled', async () => {
    await assert.rejects(
      render({ image: { repository: 'ghcr.io/stakater/reloader', tag: 'v1.4.21' } }),
      /ghcr\.io\/stakater\/reloader is not mini-reloader/,
    );
    await assert.rejects(
      render({ global: { imageRegistry: 'mirror.example.com' }, image: { name: 'stakater/reloader' } }),
      /mirror\.example\.com\/stakater\/reloader is not mini-reloader/,
    );
  });

  test('unknown keys fail the render: at the top, and anywhere under reloader', async () => {
    await assert.rejects(render({ relaoder: { watchGlobally: false } }), /relaoder/);
    await assert.rejects(render({ reloader: { watchGlobaly: false } }), /watchGlobaly/);
    await assert.rejects(render({ reloader: { deployment: { env: { opne: { A: '1' } } } } }), /opne/);
    await assert.rejects(render({ reloader: { custom_annotations: { reload: 'x' } } }), /reload/);
  });
});
