import type { ApiClient } from '../kube/api-client.ts';
import { isNotFound } from '../kube/api-error.ts';

/** The parts of a coordination.k8s.io/v1 Lease that leader election reads and writes. */
export interface LeaseRecord {
  readonly holderIdentity: string | undefined;
  readonly leaseDurationSeconds: number | undefined;
  /** MicroTime strings, kept as the server sent them. */
  readonly acquireTime: string | undefined;
  readonly renewTime: string | undefined;
  readonly leaseTransitions: number;
}

export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/**
 * Reads and writes one Lease. `update` carries the resourceVersion it read,
 * so two replicas racing for the Lease cannot both win: the slower gets a 409.
 */
export interface LeaseStore {
  get(signal: AbortSignal): Promise<StoredLease | undefined>;
  create(record: LeaseRecord, signal: AbortSignal): Promise<StoredLease>;
  update(record: LeaseRecord, resourceVersion: string, signal: AbortSignal): Promise<StoredLease>;
}

interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number | null;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number | null;
  };
}

/** A LeaseStore over the API server. */
export function apiLeaseStore(client: ApiClient, namespace: string, name: string): LeaseStore {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  const path = `${collection}/${name}`;
  const toObject = (
    record: LeaseRecord,
    resourceVersion?: string,
  ): LeaseObject & { apiVersion: string; kind: string } => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: {
      holderIdentity: record.holderIdentity ?? null,
      leaseDurationSeconds: record.leaseDurationSeconds ?? null,
      acquireTime: record.acquireTime ?? null,
      renewTime: record.renewTime ?? null,
      leaseTransitions: record.leaseTransitions,
    },
  });
  return {
    async get(signal) {
      try {
        return fromObject(await client.json<LeaseObject>({ method: 'GET', path, signal }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record, signal) {
      return fromObject(
        await client.json<LeaseObject>({ method: 'POST', path: collection, body: toObject(record), signal }),
      );
    },
    async update(record, resourceVersion, signal) {
      return fromObject(
        await client.json<LeaseObject>({ method: 'PUT', path, body: toObject(record, resourceVersion), signal }),
      );
    },
  };
}

function fromObject(obj: LeaseObject): StoredLease {
  const spec = obj.spec ?? {};
  return {
    resourceVersion: obj.metadata.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? undefined,
      leaseDurationSeconds: spec.leaseDurationSeconds ?? undefined,
      acquireTime: spec.acquireTime ?? undefined,
      renewTime: spec.renewTime ?? undefined,
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}
