import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalCluster } from '../cluster/local-cluster.ts';
import { inParallel } from './compare/population.ts';

/**
 * Memory and speed on the real control plane, at the scale users of the
 * tools in this field report trouble: thousands of ConfigMaps and Secrets
 * across many namespaces. Prints one JSON document with the results.
 *
 *   npm run bench -- [--namespaces 30] [--configmaps 3000] [--secrets 6000] [--value-bytes 4096] [--shared-by 100]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
};
const NAMESPACES = arg('namespaces', 30);
const CONFIGMAPS = arg('configmaps', 3000);
const SECRETS = arg('secrets', 6000);
const VALUE_BYTES = arg('value-bytes', 4096);
const SHARED_BY = arg('shared-by', 100);
const CLUSTER = 'mini-reloader-bench';
const root = path.join(import.meta.dirname, '..', '..');

function metric(text: string, name: string): number {
  const total = text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  return total;
}

async function main(): Promise<void> {
  const cluster = await LocalCluster.start(CLUSTER, {
    log: (l) => {
      console.error(`[cluster] ${l}`);
    },
  });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const value = 'x'.repeat(VALUE_BYTES);
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
    for (const name of namespaces) await core.createNamespace({ body: { metadata: { name } } });

    const loadStarted = Date.now();
    const cms = Array.from({ length: CONFIGMAPS }, (_, i) => i);
    await inParallel(cms, 16, (i) =>
      core.createNamespacedConfigMap({
        namespace: namespaces[i % NAMESPACES] ?? '',
        body: { metadata: { name: `cm-${i}` }, data: { 'app.properties': value, small: String(i) } },
      }),
    );
    const secrets = Array.from({ length: SECRETS }, (_, i) => i);
    await inParallel(secrets, 16, (i) =>
      core.createNamespacedSecret({
        namespace: namespaces[i % NAMESPACES] ?? '',
        body: { metadata: { name: `secret-${i}` }, stringData: { 'credentials.json': value, user: String(i) } },
      }),
    );
    // Deployments at 0 replicas: the controller's work is the same, the fake nodes stay idle.
    const shared = namespaces[0] ?? '';
    await core.createNamespacedConfigMap({
      namespace: shared,
      body: { metadata: { name: 'shared' }, data: { v: '1' } },
    });
    await inParallel(
      Array.from({ length: SHARED_BY }, (_, i) => i),
      16,
      (i) =>
        apps.createNamespacedDeployment({
          namespace: shared,
          body: {
            metadata: { name: `app-${i}`, annotations: { 'reloader.stakater.com/auto': 'true' } },
            spec: {
              replicas: 0,
              selector: { matchLabels: { app: `app-${i}` } },
              template: {
                metadata: { labels: { app: `app-${i}` } },
                spec: {
                  containers: [
                    {
                      name: 'app',
                      image: 'x',
                      envFrom: [
                        { configMapRef: { name: 'shared' } },
                        { secretRef: { name: `secret-${i % SECRETS}`, optional: true } },
                      ],
                    },
                  ],
                },
              },
            },
          },
        }),
    );
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    const rawDataBytes = (CONFIGMAPS + SECRETS) * VALUE_BYTES;

    const started = Date.now();
    const controller = spawn(
      process.execPath,
      [
        path.join(root, 'src', 'cli.ts'),
        'run',
        `--kubeconfig=${cluster.kubeconfigPath}`,
        '--metrics-address=127.0.0.1:0',
        '--max-rolls-per-second=50',
        '--max-rolls-burst=50',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let port = 0;
    let synced = 0;
    createInterface({ input: controller.stdout }).on('line', (line) => {
      const l = JSON.parse(line) as { msg: string; port?: number };
      if (l.msg === 'mini-reloader started') port = l.port ?? 0;
      if (l.msg.startsWith('caches synced')) synced = Date.now();
    });
    const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    while (synced === 0 || port === 0) await sleep(100);
    const syncSeconds = (synced - started) / 1000;
    while (metric(await scrape(), 'mini_reloader_reconcile_total') < SHARED_BY) await sleep(200);
    global.gc?.();
    await sleep(2000);
    const settled = await scrape();

    const editAt = Date.now();
    await core.replaceNamespacedConfigMap({
      name: 'shared',
      namespace: shared,
      body: { metadata: { name: 'shared' }, data: { v: '2' } },
    });
    while (metric(await scrape(), 'reloader_reload_executed_total') < SHARED_BY) await sleep(100);
    const rollSeconds = (Date.now() - editAt) / 1000;
    const after = await scrape();
    controller.kill('SIGTERM');

    console.log(
      JSON.stringify(
        {
          scale: {
            namespaces: NAMESPACES,
            configMaps: CONFIGMAPS,
            secrets: SECRETS,
            valueBytes: VALUE_BYTES,
            rawConfigDataMiB: +(rawDataBytes / 2 ** 20).toFixed(1),
            deploymentsSharingOneConfigMap: SHARED_BY,
          },
          loadSeconds,
          controller: {
            startToCachesSyncedSeconds: syncSeconds,
            residentMiB: +(metric(settled, 'process_resident_memory_bytes') / 2 ** 20).toFixed(1),
            heapUsedMiB: +(metric(settled, 'nodejs_heap_size_used_bytes') / 2 ** 20).toFixed(1),
            residentAfterRollsMiB: +(metric(after, 'process_resident_memory_bytes') / 2 ** 20).toFixed(1),
            secondsToRollAllSharers: rollSeconds,
            rollsPerSecondCap: 50,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await LocalCluster.destroy(CLUSTER);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
