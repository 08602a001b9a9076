import type { Credentials } from './cluster-access.ts';

/**
 * Credentials for a kubeconfig user whose headers come from a program or a
 * provider our loader does not run: `exec` credential plugins and
 * `auth-provider`s. @kubernetes/client-node computes them, imported here on
 * first use only (it costs about 80 MiB of RSS), and is asked again on every
 * request so that it can refresh an expiring token.
 *
 * Only the user's `exec` or `auth-provider` stanza is handed over; the TLS
 * settings stay ours. Client certificates that an exec plugin returns are not
 * used, only the headers it yields.
 */
export async function clientNodeCredentials(
  server: string,
  user: Readonly<Record<string, unknown>>,
): Promise<Credentials> {
  const provider = user['auth-provider'];
  if (
    !('WebAssembly' in globalThis) &&
    typeof provider === 'object' &&
    provider !== null &&
    (provider as { name?: unknown }).name === 'oidc'
  ) {
    // Its token refresh goes through Node's fetch, which needs WebAssembly: it would fail only when the token expires.
    throw new Error(
      "the kubeconfig user's oidc auth-provider needs WebAssembly, which --lite-mode turns off: start it as `node --no-lite-mode dist/cli.js run ...`",
    );
  }
  const { KubeConfig, RequestContext } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  const delegated = Object.fromEntries(
    ['exec', 'auth-provider'].filter((k) => user[k] !== undefined).map((k) => [k, user[k]]),
  );
  // JSON is YAML, which is what client-node's loader reads.
  kubeConfig.loadFromString(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cluster', cluster: { server } }],
      users: [{ name: 'user', user: delegated }],
      contexts: [{ name: 'context', context: { cluster: 'cluster', user: 'user' } }],
      'current-context': 'context',
    }),
  );
  return {
    async headers(): Promise<Readonly<Record<string, string>>> {
      const context = new RequestContext(server, 'GET');
      await kubeConfig.applySecurityAuthentication(context);
      const authorization = context.getHeaders().Authorization;
      return authorization === undefined ? {} : { Authorization: authorization };
    },
  };
}
