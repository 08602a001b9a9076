import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Loads credentials in kubectl's order: an explicit path (`--kubeconfig` or
 * KUBECONFIG), then ~/.kube/config, then the in-cluster service account.
 */
export function loadKubeConfig(explicitPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (explicitPath !== undefined) {
    if (!existsSync(explicitPath)) throw new Error(`kubeconfig ${explicitPath} does not exist`);
    kc.loadFromFile(explicitPath);
    return kc;
  }
  const home = path.join(os.homedir(), '.kube', 'config');
  if (existsSync(home)) {
    kc.loadFromFile(home);
    return kc;
  }
  if (process.env.KUBERNETES_SERVICE_HOST === undefined) {
    throw new Error('no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a cluster');
  }
  kc.loadFromCluster();
  return kc;
}
