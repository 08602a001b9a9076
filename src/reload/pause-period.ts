import { parseDuration } from '../duration.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import type { InvalidPattern } from './name-list.ts';

/** A longer pause-period is ignored: a Deployment paused for years is a mistake or an attack, not a batching window. */
export const MAX_PAUSE_PERIOD_MS = 24 * 3_600_000;

/** A Deployment's pause period as its annotation gives it: none, a length, or a value that is ignored. */
export type PausePeriod =
  | { readonly kind: 'none' }
  | { readonly kind: 'period'; readonly ms: number }
  | { readonly kind: 'invalid'; readonly problem: InvalidPattern };

/** `deployment.reloader.stakater.com/pause-period` (or its renamed flag), read from the metadata or the pod template. */
export function pausePeriod(workload: WorkloadRecord, annotation: string): PausePeriod {
  if (workload.kind !== 'Deployment') return { kind: 'none' };
  const text = workload.annotations[annotation] ?? workload.templateAnnotations[annotation];
  if (text === undefined) return { kind: 'none' };
  const invalid = (error: string): PausePeriod => ({ kind: 'invalid', problem: { annotation, pattern: text, error } });
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) return invalid('not a positive duration such as 30s or 5m');
  if (ms > MAX_PAUSE_PERIOD_MS) return invalid('longer than the maximum pause period, 24h');
  return { kind: 'period', ms };
}
