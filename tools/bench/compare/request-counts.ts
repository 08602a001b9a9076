import { samples } from './prometheus-text.ts';

/**
 * The resources a config reloader's work touches, directly or through
 * kube-controller-manager. Nodes and Leases are left out: kwok's heartbeats
 * write them all the time, whatever the controllers do.
 */
const TRACKED_RESOURCES: ReadonlySet<string> = new Set([
  'configmaps',
  'secrets',
  'namespaces',
  'events',
  'pods',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
  'rollouts',
]);

/** Request counts keyed "VERB resource" or "VERB resource/subresource", e.g. "LIST configmaps". */
export type RequestCounts = ReadonlyMap<string, number>;

/** The API server's `apiserver_request_total`, summed over codes, scopes and versions, for the tracked resources. */
export function countRequests(metricsText: string): RequestCounts {
  const counts = new Map<string, number>();
  for (const s of samples(metricsText, 'apiserver_request_total')) {
    const resource = s.labels.resource ?? '';
    if (!TRACKED_RESOURCES.has(resource)) continue;
    const sub = s.labels.subresource ?? '';
    const key = `${s.labels.verb ?? '?'} ${resource}${sub === '' ? '' : `/${sub}`}`;
    counts.set(key, (counts.get(key) ?? 0) + s.value);
  }
  return counts;
}

/**
 * What others asked of the API server between two snapshots: after − before,
 * minus the benchmark's own requests over the same interval. Zero entries are
 * dropped.
 */
export function requestsBetween(
  before: RequestCounts,
  after: RequestCounts,
  ownBefore: RequestCounts,
  ownAfter: RequestCounts,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of after) {
    const own = (ownAfter.get(key) ?? 0) - (ownBefore.get(key) ?? 0);
    const delta = value - (before.get(key) ?? 0) - own;
    if (delta !== 0) out.set(key, delta);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** Totals by verb: LIST, WATCH, GET, and every write verb together as "writes". */
export function byVerb(counts: RequestCounts): { list: number; watch: number; get: number; writes: number } {
  const totals = { list: 0, watch: 0, get: 0, writes: 0 };
  for (const [key, value] of counts) {
    const verb = key.split(' ')[0];
    if (verb === 'LIST') totals.list += value;
    else if (verb === 'WATCH') totals.watch += value;
    else if (verb === 'GET') totals.get += value;
    else totals.writes += value;
  }
  return totals;
}

/** The verb the API server records for a request, as in `apiserver_request_total`. */
export function apiserverVerb(method: string, apiPath: string): string {
  const [pathPart = '', query = ''] = apiPath.split('?');
  const hasName = resourcePath(pathPart)?.name !== undefined;
  if (method === 'GET') {
    if (new URLSearchParams(query).get('watch') === 'true') return 'WATCH';
    return hasName ? 'GET' : 'LIST';
  }
  if (method === 'DELETE' && !hasName) return 'DELETECOLLECTION';
  return method;
}

/** "resource" or "resource/subresource" of a resource path; undefined for a path that names no resource. */
export function resourceOfPath(apiPath: string): string | undefined {
  const r = resourcePath(apiPath.split('?')[0] ?? '');
  if (r === undefined) return undefined;
  return r.subresource === undefined ? r.resource : `${r.resource}/${r.subresource}`;
}

function resourcePath(pathPart: string): { resource: string; name?: string; subresource?: string } | undefined {
  const segments = pathPart.split('/').filter((s) => s !== '');
  let rest: string[];
  if (segments[0] === 'api') rest = segments.slice(2);
  else if (segments[0] === 'apis') rest = segments.slice(3);
  else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource, name, subresource] = rest;
  if (resource === undefined) return undefined;
  return { resource, ...(name === undefined ? {} : { name }), ...(subresource === undefined ? {} : { subresource }) };
}
