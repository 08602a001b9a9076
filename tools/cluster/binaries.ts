import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Paths of the control-plane executables a local cluster runs. */
export interface ControlPlaneBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly kwok: string;
  /** kwok's Stage configs: without them nodes never become Ready. */
  readonly kwokStages: string;
}

const buildScript = path.join(import.meta.dirname, '..', 'kube', 'build.sh');

/**
 * Finds the binaries. envtest users' variables win for what they cover
 * (KUBEBUILDER_ASSETS, TEST_ASSET_KUBE_APISERVER, TEST_ASSET_ETCD,
 * TEST_ASSET_KUBECTL); everything else comes from the project's own build,
 * which is a no-op when its versioned cache is warm.
 */
export function resolveBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const assets = env.KUBEBUILDER_ASSETS;
  const fromAssets = (name: string): string | undefined => {
    if (assets === undefined || assets === '') return undefined;
    const candidate = path.join(assets, name);
    return existsSync(candidate) ? candidate : undefined;
  };
  const explicit = (variable: string, name: string): string | undefined => {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      if (!existsSync(value)) throw new Error(`${variable} points at ${value}, which does not exist`);
      return value;
    }
    return fromAssets(name);
  };

  const kubeApiserver = explicit('TEST_ASSET_KUBE_APISERVER', 'kube-apiserver');
  const etcd = explicit('TEST_ASSET_ETCD', 'etcd');
  const kubectl = explicit('TEST_ASSET_KUBECTL', 'kubectl');

  const built = buildDir();
  return {
    etcd: etcd ?? path.join(built, 'etcd'),
    kubeApiserver: kubeApiserver ?? path.join(built, 'kube-apiserver'),
    kubeControllerManager: path.join(built, 'kube-controller-manager'),
    kubeScheduler: path.join(built, 'kube-scheduler'),
    kubectl: kubectl ?? path.join(built, 'kubectl'),
    kwok: path.join(built, 'kwok'),
    kwokStages: path.join(built, 'kwok-stages.yaml'),
  };
}

let cachedBuildDir: string | undefined;

function buildDir(): string {
  cachedBuildDir ??= execFileSync('bash', [buildScript], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return cachedBuildDir;
}
