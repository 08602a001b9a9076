import { ConfigCache } from '../config/config-cache.ts';
import { configListTarget } from '../config/config-lists.ts';
import { recordAnnotation, type ControllerSettings } from '../controller/controller-settings.ts';
import type { ApiClient } from '../kube/api-client.ts';
import { discoverResource } from '../kube/api-discovery.ts';
import { isForbidden, isNotFound } from '../kube/api-error.ts';
import { isKubeObject } from '../kube/kube-object.ts';
import { NamespaceHoldCache, type NamespaceHolds } from '../reload/namespace-holds.ts';
import type { ReflectorTarget } from '../kube/reflector-types.ts';
import type { DeclaredType, ExplainedConfigKind } from './explain-args.ts';
import { declaredKindId } from '../model/declared-kind.ts';
import type { WorkloadKey } from '../model/workload-key.ts';
import { WorkloadCache } from '../workload/workload-cache.ts';
import { serveDeclaredKind, WORKLOAD_KINDS, type WorkloadKindInfo } from '../model/workload-kind.ts';
import { listOnce } from './list-once.ts';
import { notingCreation, notingFacts, type WorkloadFacts } from './workload-facts.ts';

/** A declared kind discovery found served, and what it is known by. */
export interface ServedKind extends DeclaredType {
  readonly info: WorkloadKindInfo;
}

/** Whether the controller acts in a namespace at all, and if not, why. */
export type NamespaceVerdict = { readonly inScope: true } | { readonly inScope: false; readonly reason: string };

/** One namespace as the controller's caches would hold it, read once. */
export interface NamespaceSnapshot {
  readonly namespace: string;
  readonly scope: NamespaceVerdict;
  readonly configs: ConfigCache;
  readonly workloads: WorkloadCache;
  /** Per workload: the single uses of configs and when the record was written, which the cache does not keep. */
  readonly facts: ReadonlyMap<WorkloadKey, WorkloadFacts>;
  /** When each listed config was created, by kind and name. */
  readonly created: Readonly<Record<ExplainedConfigKind, ReadonlyMap<string, number>>>;
  /** The kinds declared with --workload-kind that discovery found served, in the order declared. */
  readonly declaredKinds: readonly ServedKind[];
  /** What the Namespace's freeze and maintenance-window annotations say, as the controller reads them. */
  readonly holds: NamespaceHolds | undefined;
  /** What could not be read and is treated as absent (a refused list, an unreadable object). */
  readonly warnings: readonly string[];
}

/**
 * Lists the ConfigMaps, Secrets and workloads of `namespace` into the
 * controller's own caches, with the controller's selectors, so that what
 * they hold is what the controller holds: Secrets reduced to per-key
 * digests as they arrive, their values never kept. Config kinds the
 * settings leave out are not listed. Declared kinds are found through
 * discovery as the controller finds them; one that is not served is a
 * warning. A refused list of workloads is a warning (those
 * workloads are missing from the answer); a refused list of configs fails,
 * since every answer depends on them.
 */
export async function readNamespace(
  client: ApiClient,
  namespace: string,
  settings: ControllerSettings,
): Promise<NamespaceSnapshot> {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
  };
  const r = settings.reconcile;
  const configs = new ConfigCache({
    enabledLabel: settings.enabledLabel,
    ignoreAnnotation: r.annotations.ignore,
    matchAnnotation: r.annotations.match,
    waveAnnotations: r.annotations,
    onChange: () => undefined,
    onInvalid: (kind, ns, name, err) => {
      warn(`${kind} ${ns}/${name} cannot be read (${err.message}); the controller keeps its last known state`);
    },
  });
  const workloads = new WorkloadCache({
    annotations: r.annotations,
    recordAnnotation: recordAnnotation(r.hashAnnotation),
    onChange: () => undefined,
    followWorkloadRef: settings.rolloutWorkloadRef,
  });
  const created = { ConfigMap: new Map<string, number>(), Secret: new Map<string, number>() };
  for (const kind of ['ConfigMap', 'Secret'] as const) {
    if (r.optIn.ignoredConfigKinds.has(kind)) continue;
    await listOnce(
      client,
      configListTarget(kind, namespace, settings.resourceLabelSelector),
      notingCreation(configs.handlers(kind, namespace), created[kind]),
      warn,
    );
  }
  const facts = new Map<WorkloadKey, WorkloadFacts>();
  const listWorkloads = async (info: WorkloadKindInfo, target: ReflectorTarget, what: string): Promise<void> => {
    const handlers = notingFacts(
      info.kind,
      workloads.handlers(info.kind, namespace),
      recordAnnotation(r.hashAnnotation),
      facts,
    );
    try {
      await listOnce(client, target, handlers, warn);
    } catch (err) {
      if (!isForbidden(err)) throw err;
      warn(`may not list ${what} in ${namespace}: those are left out`);
    }
  };
  // Ignored workload types too, so that explain can say they are ignored.
  for (const info of WORKLOAD_KINDS) {
    const target = {
      apiPrefix: info.apiPrefix,
      resource: info.resource,
      namespace,
      ...(info.kind === 'Rollout' ? { absentRetryMs: 60_000 } : {}),
    };
    await listWorkloads(info, target, info.resource);
  }
  const declaredKinds: ServedKind[] = [];
  for (const kind of settings.declaredKinds) {
    const found = await discoverResource(client, kind, AbortSignal.timeout(DISCOVERY_TIMEOUT_MS));
    if (!found.served) {
      warn(`declared workload kind ${declaredKindId(kind)} (${kind.declaration}) is not followed: ${found.why}`);
      continue;
    }
    const info = serveDeclaredKind(kind, found.resource);
    declaredKinds.push({ kind: kind.kind, group: kind.group, resource: info.resource, info });
    await listWorkloads(
      info,
      { apiPrefix: info.apiPrefix, resource: info.resource, namespace },
      `${info.resource}.${kind.group}`,
    );
  }
  const holds = await namespaceHolds(client, namespace, settings, warn);
  const scope = await namespaceVerdict(client, namespace, settings);
  return { namespace, scope, configs, workloads, facts, created, declaredKinds, holds, warnings };
}

/** The Namespace's holds, read as the controller's cache reads them; none with --namespaces, as the controller sees none. */
async function namespaceHolds(
  client: ApiClient,
  namespace: string,
  settings: ControllerSettings,
  warn: (message: string) => void,
): Promise<NamespaceHolds | undefined> {
  if (settings.namespaces.length > 0) return undefined;
  const cache = new NamespaceHoldCache({
    annotations: settings.reconcile.annotations,
    onChange: () => undefined,
    onInvalid: (ns, _uid, bad) => {
      warn(`Namespace ${ns}: annotation ${bad.annotation} is not valid (${bad.error})`);
    },
  });
  try {
    const object = await client.json({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}` });
    if (isKubeObject(object)) cache.handlers().upsert(object);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (!isForbidden(err)) throw err;
    warn(`may not read Namespace ${namespace}: its freeze and maintenance windows are left out`);
  }
  return cache.holds(namespace);
}

/** A discovery request that takes longer has gone wrong; explain reports it rather than wait. */
const DISCOVERY_TIMEOUT_MS = 30_000;

/** The controller's namespace scope, applied to one namespace; the selector is matched by the API server, as the controller's watch is. */
async function namespaceVerdict(
  client: ApiClient,
  namespace: string,
  settings: ControllerSettings,
): Promise<NamespaceVerdict> {
  if (settings.namespaces.length > 0 && !settings.namespaces.includes(namespace)) {
    return {
      inScope: false,
      reason: `namespace ${namespace} is not among --namespaces (${settings.namespaces.join(', ')})`,
    };
  }
  if (settings.namespacesToIgnore.includes(namespace))
    return { inScope: false, reason: `namespace ${namespace} is in --namespaces-to-ignore` };
  const selector = settings.namespaceSelector;
  if (selector === undefined) return { inScope: true };
  const list = await client.json<{ items?: unknown[] } | undefined>({
    method: 'GET',
    path: '/api/v1/namespaces',
    query: { labelSelector: selector, fieldSelector: `metadata.name=${namespace}` },
  });
  if ((list?.items?.length ?? 0) > 0) return { inScope: true };
  return { inScope: false, reason: `namespace ${namespace} does not match --namespace-selector ${selector}` };
}
