import type { ApiClient } from './api-client.ts';
import { isNotFound } from './api-error.ts';
import { asRecord } from './json-shape.ts';

/** What discovery says of a kind: the resource serving it, or why there is none to watch. */
export type ResourceDiscovery =
  { readonly served: true; readonly resource: string } | { readonly served: false; readonly why: string };

/** What the controller does to a workload: it cannot follow one that lacks any of these. */
const NEEDED_VERBS = ['get', 'list', 'watch', 'patch'];

/**
 * Asks the API server which resource of `group/version` serves `kind`
 * (GET /apis/GROUP/VERSION, which every authenticated user may read), or
 * checks that `resource`, when given, does. Only a namespaced resource that
 * takes every verb the controller uses counts. A group version that is not
 * served (its CRD is not installed, or not established yet) is `served:
 * false`; any other failure rejects.
 */
export async function discoverResource(
  client: ApiClient,
  target: {
    readonly group: string;
    readonly version: string;
    readonly kind: string;
    readonly resource: string | undefined;
  },
  signal: AbortSignal,
): Promise<ResourceDiscovery> {
  const groupVersion = `${target.group}/${target.version}`;
  let list: unknown;
  try {
    list = await client.json({ method: 'GET', path: `/apis/${groupVersion}`, signal });
  } catch (err) {
    if (isNotFound(err)) return { served: false, why: `${groupVersion} is not served (its CRD is not installed)` };
    throw err;
  }
  const resources = asRecord(list)?.resources;
  const match = (Array.isArray(resources) ? resources : []).map(asRecord).find((r) => {
    const name = r?.name;
    // Subresources (rollouts/status) share the kind; only the resource itself is listed.
    return (
      typeof name === 'string' &&
      !name.includes('/') &&
      r?.kind === target.kind &&
      (target.resource === undefined || name === target.resource)
    );
  });
  const resource = match?.name;
  if (match === undefined || typeof resource !== 'string') {
    return {
      served: false,
      why: `${groupVersion} serves no ${target.resource === undefined ? 'resource' : `resource ${target.resource}`} of kind ${target.kind}`,
    };
  }
  if (match.namespaced !== true)
    return { served: false, why: `${groupVersion} ${resource} is cluster-scoped; workloads live in namespaces` };
  const verbs = Array.isArray(match.verbs) ? match.verbs : [];
  const missing = NEEDED_VERBS.filter((v) => !verbs.includes(v));
  if (missing.length > 0)
    return { served: false, why: `${groupVersion} ${resource} does not take ${missing.join(', ')}` };
  return { served: true, resource };
}
