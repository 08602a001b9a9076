import type { ApiClient } from '../kube/api-client.ts';
import { asRecord } from '../kube/json-shape.ts';
import { workloadPath } from '../model/workload-kind.ts';
import type { DecisionSource } from './decision-flags.ts';

/**
 * The flags and environment the controller's own Deployment runs
 * `mini-reloader run` with: the arguments after `run` of the container named
 * `mini-reloader` (else the first whose command or args hold `run`), and its
 * literal `env` values. Of `valueFrom`, only `fieldRef: metadata.namespace`
 * is read (Stakater's single-namespace mode sets KUBERNETES_NAMESPACE so);
 * Secrets and ConfigMaps named in `env` or `envFrom` are not read.
 * Throws when the Deployment does not exist (ApiError 404) or runs no such
 * container.
 */
export async function controllerFlags(client: ApiClient, namespace: string, name: string): Promise<DecisionSource> {
  const deployment = asRecord(await client.json({ method: 'GET', path: workloadPath('Deployment', namespace, name) }));
  const podSpec = asRecord(asRecord(asRecord(deployment?.spec)?.template)?.spec);
  const containers = (Array.isArray(podSpec?.containers) ? podSpec.containers : []).map((c) => asRecord(c) ?? {});
  const words = (c: Readonly<Record<string, unknown>>): string[] =>
    [c.command, c.args].flatMap((list) => (Array.isArray(list) ? list.filter((w) => typeof w === 'string') : []));
  const container =
    containers.find((c) => c.name === 'mini-reloader' && words(c).includes('run')) ??
    containers.find((c) => words(c).includes('run'));
  if (container === undefined)
    throw new Error(`Deployment ${namespace}/${name} has no container that runs "mini-reloader run"`);
  const all = words(container);
  const env: Record<string, string> = {};
  for (const item of Array.isArray(container.env) ? container.env : []) {
    const variable = asRecord(item);
    const varName = variable?.name;
    if (typeof varName !== 'string') continue;
    if (typeof variable?.value === 'string') env[varName] = variable.value;
    else if (asRecord(asRecord(variable?.valueFrom)?.fieldRef)?.fieldPath === 'metadata.namespace')
      env[varName] = namespace;
  }
  return { argv: all.slice(all.indexOf('run') + 1), env };
}
