import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminApi } from './admin-api.ts';
import { byVerb, countRequests, requestsBetween } from './request-counts.ts';

/**
 * Waits until nobody but the benchmark writes to the tracked resources for
 * `quietMs` (kube-controller-manager done with ReplicaSets and statuses,
 * namespaces finalized), so that one measurement window does not inherit the
 * tail of the previous step. Resolves false after timeoutMs.
 */
export async function untilQuiet(api: AdminApi, timeoutMs: number, quietMs = 4000, pollMs = 1000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const writes = async (): Promise<number> =>
    byVerb(requestsBetween(new Map(), countRequests(await api.text('/metrics')), new Map(), api.ownRequests())).writes;
  let last = await writes();
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(pollMs);
    const now = await writes();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return true;
    }
  }
  return false;
}
