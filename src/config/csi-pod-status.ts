import { createHash } from 'node:crypto';
import { asRecord } from '../kube/json-shape.ts';

/** The Secrets Store CSI driver's API group and version, where both of its resources are served. */
export const CSI_API_PREFIX = '/apis/secrets-store.csi.x-k8s.io/v1';
export const POD_STATUS_RESOURCE = 'secretproviderclasspodstatuses';
export const PROVIDER_CLASS_RESOURCE = 'secretproviderclasses';

/** More objects than any mount holds: the rest of a longer list is not read (it still counts in the digest's length). */
const MAX_OBJECTS = 1_000;
/** Longer ids or versions are cut: they still change the digest when their start does. */
const MAX_FIELD_CHARS = 1_024;

/** What is kept of one SecretProviderClassPodStatus: which class it mounts and a digest of the versions mounted. */
export interface PodStatusSummary {
  readonly className: string;
  /** SHA-256 hex of the mounted objects' ids and versions (see `versionsDigest`). */
  readonly digest: string;
}

/**
 * The summary of a SecretProviderClassPodStatus, or undefined when it names
 * no class or reports no object yet: such a status says nothing about which
 * versions a pod sees. The input is untrusted JSON and this never throws.
 */
export function summarizePodStatus(obj: unknown): PodStatusSummary | undefined {
  const status = asRecord(asRecord(obj)?.['status']);
  const className = status?.['secretProviderClassName'];
  const objects = status?.['objects'];
  if (typeof className !== 'string' || className === '' || !Array.isArray(objects) || objects.length === 0)
    return undefined;
  const pairs: [string, string][] = [];
  for (const element of objects.slice(0, MAX_OBJECTS)) {
    const o = asRecord(element);
    pairs.push([field(o?.['id']), field(o?.['version'])]);
  }
  return { className, digest: versionsDigest(pairs, objects.length) };
}

/**
 * A change of a class, as Stakater sees one, is a new set of `id`/`version`
 * pairs. The digest covers exactly that set: the pairs sorted by id then
 * version (UTF-16 code units), each length-prefixed, after the count of
 * objects, so that each byte string parses one way only.
 * ```
 * input  = "mini-reloader/csi-objects/v1" count pair*
 * pair   = str(id) str(version)
 * str(s) = count utf8(s);  count = decimal digits ":"
 * ```
 */
export function versionsDigest(pairs: readonly (readonly [string, string])[], count = pairs.length): string {
  const sorted = [...pairs].sort(([a, av], [b, bv]) => compare(a, b) || compare(av, bv));
  const hash = createHash('sha256').update(`mini-reloader/csi-objects/v1${count}:`, 'utf8');
  for (const [id, version] of sorted) hash.update(`${str(id)}${str(version)}`, 'utf8');
  return hash.digest('hex');
}

function field(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_FIELD_CHARS) : '';
}

function str(s: string): string {
  return `${Buffer.byteLength(s, 'utf8')}:${s}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
