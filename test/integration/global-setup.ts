import { LocalCluster } from '../../tools/cluster/local-cluster.ts';
import { TEST_CLUSTER_NAME } from './support/cluster.ts';

/**
 * One control plane for the whole integration run, shared by every test file.
 * A failure to start fails the run loudly; nothing is skipped.
 */
export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const cluster = await LocalCluster.start(TEST_CLUSTER_NAME, {
    log: (line) => {
      console.error(`[cluster] ${line}`);
    },
  });
  console.error(
    `[cluster] started in ${((Date.now() - started) / 1000).toFixed(1)} s; KUBECONFIG=${cluster.kubeconfigPath}`,
  );
}

export async function globalTeardown(): Promise<void> {
  await LocalCluster.destroy(TEST_CLUSTER_NAME);
}
