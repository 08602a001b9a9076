import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveBinaries } from '../../../tools/cluster/binaries.ts';
import { testCluster } from './cluster.ts';

const run = promisify(execFile);

/** `kubectl apply --server-side` of `objects`; with dryRun the API server validates and admits them but stores nothing. */
export async function apply(objects: readonly object[], dryRun: boolean): Promise<string> {
  const args = [
    '--kubeconfig',
    testCluster().kubeconfigPath,
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=manifest-test',
    ...(dryRun ? ['--dry-run=server'] : []),
    '-f',
    '-',
  ];
  const child = run(resolveBinaries().kubectl, args, { encoding: 'utf8' });
  child.child.stdin?.end(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  try {
    return (await child).stdout;
  } catch (err) {
    throw new Error(`kubectl apply failed: ${String((err as { stderr?: unknown }).stderr ?? err)}`, { cause: err });
  }
}

/** The ServiceMonitor CRD (monitoring.coreos.com/v1), applied and served, so the chart's ServiceMonitor can be applied. */
export async function ensureServiceMonitorCrd(
  eventually: <T>(what: string, check: () => Promise<T | undefined>) => Promise<T>,
): Promise<void> {
  await apply(
    [
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'servicemonitors.monitoring.coreos.com' },
        spec: {
          group: 'monitoring.coreos.com',
          scope: 'Namespaced',
          names: {
            plural: 'servicemonitors',
            singular: 'servicemonitor',
            kind: 'ServiceMonitor',
            listKind: 'ServiceMonitorList',
          },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      },
    ],
    false,
  );
  await eventually('the ServiceMonitor CRD to be served', async () => {
    const served = await run(resolveBinaries().kubectl, [
      '--kubeconfig',
      testCluster().kubeconfigPath,
      'get',
      '--raw',
      '/apis/monitoring.coreos.com/v1',
    ]).then(
      () => true,
      () => undefined,
    );
    return served;
  });
}
