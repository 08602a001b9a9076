import type { ApiClient } from '../kube/api-client.ts';
import { asRecord } from '../kube/json-shape.ts';
import { kindInfo, type WorkloadKind } from '../model/workload-kind.ts';

/** The newest `Reloaded` Event of a workload: when, and what it says. */
export interface LastRoll {
  readonly at: string;
  readonly message: string;
}

/**
 * Undefined when the API server keeps no such Event (Events expire after an
 * hour by default). A declared kind's Events name its kind as the API spells
 * it, and its API version, since kinds repeat across groups.
 */
export async function lastRoll(
  client: ApiClient,
  kind: WorkloadKind,
  namespace: string,
  name: string,
): Promise<LastRoll | undefined> {
  const info = kindInfo(kind);
  const apiVersion = info.objectKind === undefined ? '' : `,involvedObject.apiVersion=${info.apiVersion}`;
  const list = asRecord(
    await client.json({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      query: {
        fieldSelector: `involvedObject.kind=${info.objectKind ?? kind},involvedObject.name=${name},reason=Reloaded${apiVersion}`,
      },
    }),
  );
  let newest: LastRoll | undefined;
  for (const item of Array.isArray(list?.items) ? list.items : []) {
    const event = asRecord(item);
    const at = [event?.lastTimestamp, event?.eventTime, asRecord(event?.metadata)?.creationTimestamp].find(
      (t) => typeof t === 'string' && t !== '',
    );
    if (typeof at !== 'string' || typeof event?.message !== 'string') continue;
    if (newest === undefined || Date.parse(at) > Date.parse(newest.at)) newest = { at, message: event.message };
  }
  return newest;
}
