import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminApi } from './admin-api.ts';
import type { Scale } from './scales.ts';

/** Label on every namespace and Deployment the benchmark creates; the template watch selects on it. */
export const BENCH_LABEL = 'mini-reloader-bench';
export const BENCH_SELECTOR = `${BENCH_LABEL}=true`;

/** How every workload opts in, the same for both controllers. */
const OPT_IN = { 'reloader.stakater.com/auto': 'true' };
const CREATE_CONCURRENCY = 16;

/** The objects one controller's edits and fan-out go to, in a namespace of their own. */
export interface ProbeSet {
  readonly namespace: string;
  /** Ten Deployments, each using its own ConfigMap (envFrom) and Secret (volume) of the same name. */
  readonly latency: readonly string[];
  /** A Deployment that reads only key "used" of ConfigMap "keyed"; edits to key "unused" must roll nothing. */
  readonly keyed: string;
  /** A Deployment using ConfigMap "labelled", whose edits change only labels and must roll nothing. */
  readonly labelled: string;
  /** ConfigMap "shared", used by the 100 fan-out Deployments. */
  readonly fanOut: readonly string[];
}

export const LATENCY_WORKLOADS = 10;
export const FAN_OUT = 100;

/** A value of exactly `bytes` bytes that differs for every `tag`. */
export function filler(tag: string, bytes: number): string {
  return `${tag}:`.padEnd(bytes, 'x').slice(0, bytes);
}

/** Runs `work` on every item, at most `limit` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

interface PodSpecParts {
  readonly envFrom?: readonly unknown[];
  readonly env?: readonly unknown[];
  readonly volumes?: readonly { readonly name: string; readonly secret: { readonly secretName: string } }[];
}

function deployment(name: string, parts: PodSpecParts): unknown {
  const volumes = parts.volumes ?? [];
  return {
    metadata: { name, labels: { [BENCH_LABEL]: 'true' }, annotations: OPT_IN },
    // No replicas: the controllers' work is the same, and the fake nodes stay idle.
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.invalid/app:1',
              ...(parts.envFrom === undefined ? {} : { envFrom: parts.envFrom }),
              ...(parts.env === undefined ? {} : { env: parts.env }),
              ...(volumes.length === 0
                ? {}
                : { volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: `/etc/${v.name}` })) }),
            },
          ],
          ...(volumes.length === 0 ? {} : { volumes }),
        },
      },
    },
  };
}

async function createNamespace(api: AdminApi, name: string): Promise<void> {
  await api.json('POST', '/api/v1/namespaces', { metadata: { name, labels: { [BENCH_LABEL]: 'true' } } });
}

function configMapBody(name: string, data: Record<string, string>): unknown {
  return { metadata: { name }, data };
}

function secretBody(name: string, value: string): unknown {
  return { metadata: { name }, data: { credentials: Buffer.from(value).toString('base64') } };
}

async function create(
  api: AdminApi,
  namespace: string,
  resource: 'configmaps' | 'secrets' | 'deployments',
  body: unknown,
): Promise<void> {
  const base = resource === 'deployments' ? `/apis/apps/v1/namespaces/${namespace}` : `/api/v1/namespaces/${namespace}`;
  await api.json('POST', `${base}/${resource}`, body);
}

/**
 * The scale's ConfigMaps, Secrets and Deployments, spread over its
 * namespaces. Deployment j uses ConfigMap and Secret j mod configMaps (one
 * through envFrom, one as a volume), in their namespace.
 */
export async function createPopulation(api: AdminApi, scale: Scale): Promise<void> {
  const namespaces = Array.from({ length: scale.namespaces }, (_, i) => `bench-${i}`);
  for (const ns of namespaces) await createNamespace(api, ns);
  const nsOf = (i: number): string => namespaces[i % scale.namespaces] ?? '';
  await inParallel(
    Array.from({ length: scale.configMaps }, (_, i) => i),
    CREATE_CONCURRENCY,
    (i) =>
      create(
        api,
        nsOf(i),
        'configmaps',
        configMapBody(`cm-${i}`, { 'app.properties': filler(`cm-${i}`, scale.valueBytes) }),
      ),
  );
  await inParallel(
    Array.from({ length: scale.secrets }, (_, i) => i),
    CREATE_CONCURRENCY,
    (i) => create(api, nsOf(i), 'secrets', secretBody(`secret-${i}`, filler(`secret-${i}`, scale.valueBytes))),
  );
  const shared = Math.min(scale.configMaps, scale.secrets);
  await inParallel(
    Array.from({ length: scale.deployments }, (_, j) => j),
    CREATE_CONCURRENCY,
    (j) => {
      const i = j % shared;
      return create(
        api,
        nsOf(i),
        'deployments',
        deployment(`app-${j}`, {
          envFrom: [{ configMapRef: { name: `cm-${i}` } }],
          volumes: [{ name: 'secret', secret: { secretName: `secret-${i}` } }],
        }),
      );
    },
  );
}

/** Creates a probe set in a new namespace; values are `valueBytes` long, like the scale's. */
export async function createProbeSet(api: AdminApi, namespace: string, valueBytes: number): Promise<ProbeSet> {
  await createNamespace(api, namespace);
  const latency = Array.from({ length: LATENCY_WORKLOADS }, (_, i) => `lat-${i}`);
  const fanOut = Array.from({ length: FAN_OUT }, (_, i) => `fan-${i}`);
  for (const name of latency) {
    await create(api, namespace, 'configmaps', configMapBody(name, { 'app.properties': filler(name, valueBytes) }));
    await create(api, namespace, 'secrets', secretBody(name, filler(name, valueBytes)));
  }
  await create(
    api,
    namespace,
    'configmaps',
    configMapBody('keyed', { used: filler('used', valueBytes), unused: filler('unused', valueBytes) }),
  );
  await create(
    api,
    namespace,
    'configmaps',
    configMapBody('labelled', { 'app.properties': filler('labelled', valueBytes) }),
  );
  await create(
    api,
    namespace,
    'configmaps',
    configMapBody('shared', { 'app.properties': filler('shared', valueBytes) }),
  );
  await inParallel(latency, CREATE_CONCURRENCY, (name) =>
    create(
      api,
      namespace,
      'deployments',
      deployment(name, {
        envFrom: [{ configMapRef: { name } }],
        volumes: [{ name: 'secret', secret: { secretName: name } }],
      }),
    ),
  );
  await create(
    api,
    namespace,
    'deployments',
    deployment('keyed', { env: [{ name: 'USED', valueFrom: { configMapKeyRef: { name: 'keyed', key: 'used' } } }] }),
  );
  await create(
    api,
    namespace,
    'deployments',
    deployment('labelled', { envFrom: [{ configMapRef: { name: 'labelled' } }] }),
  );
  await inParallel(fanOut, CREATE_CONCURRENCY, (name) =>
    create(api, namespace, 'deployments', deployment(name, { envFrom: [{ configMapRef: { name: 'shared' } }] })),
  );
  return { namespace, latency, keyed: 'keyed', labelled: 'labelled', fanOut };
}

/** Deletes a namespace and waits until it is gone, so its cleanup does not land in the next measurement. */
export async function deleteNamespace(api: AdminApi, namespace: string, timeoutMs = 180_000): Promise<void> {
  await api.json('DELETE', `/api/v1/namespaces/${namespace}`);
  const deadline = Date.now() + timeoutMs;
  while ((await api.status('GET', `/api/v1/namespaces/${namespace}`)) !== 404) {
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} still exists after ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** ConfigMaps plus Secrets in the whole cluster, counted without listing them all. */
export async function countConfigs(api: AdminApi): Promise<number> {
  let total = 0;
  for (const resource of ['configmaps', 'secrets']) {
    const page = await api.json<{ metadata: { remainingItemCount?: number }; items: unknown[] }>(
      'GET',
      `/api/v1/${resource}?limit=1`,
    );
    total += page.items.length + (page.metadata.remainingItemCount ?? 0);
  }
  return total;
}
