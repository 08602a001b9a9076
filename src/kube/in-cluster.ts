import { nodeFs } from '../node-fs.ts';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import type { ClusterAccess } from './cluster-access.ts';
import { TokenFileCredentials } from './token-file.ts';

/** Where the kubelet mounts the pod's service-account token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** True when the environment names an API server service, as in every pod. */
export function runsInCluster(env: NodeJS.ProcessEnv): boolean {
  return env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '';
}

/**
 * The pod's own access, as client-go's InClusterConfig builds it: the
 * `kubernetes` service from KUBERNETES_SERVICE_HOST and _PORT over HTTPS,
 * trusted through the mounted `ca.crt`, with the mounted token (re-read as
 * it rotates). Throws when the service variables or the CA are missing.
 */
export function inClusterAccess(env: NodeJS.ProcessEnv, dir: string = SERVICE_ACCOUNT_DIR): ClusterAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set');
  }
  const caPath = path.join(dir, 'ca.crt');
  let ca: string;
  try {
    ca = nodeFs.readFileSync(caPath, 'utf8');
  } catch (err) {
    throw new Error(`in-cluster CA ${caPath} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return {
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    tls: {
      ca,
      clientCertificate: undefined,
      clientKey: undefined,
      insecureSkipTlsVerify: false,
      serverName: undefined,
    },
    proxyUrl: undefined,
    namespace: readNamespace(path.join(dir, 'namespace')),
    credentials: new TokenFileCredentials(path.join(dir, 'token')),
  };
}

function readNamespace(file: string): string | undefined {
  try {
    const namespace = nodeFs.readFileSync(file, 'utf8').trim();
    return namespace === '' ? undefined : namespace;
  } catch {
    // Only the default namespace is lost; the access itself works without it.
    return undefined;
  }
}
