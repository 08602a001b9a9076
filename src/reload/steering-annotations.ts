import type { ReconcilerSettings } from './reconciler.ts';

/** The workload annotations the decision reads; the workload cache keeps these and drops the rest. */
export function steeringAnnotations(settings: Pick<ReconcilerSettings, 'optIn' | 'pausePeriodAnnotation' | 'rolloutStrategyAnnotation'>): ReadonlySet<string> {
  const o = settings.optIn;
  return new Set([
    o.autoAnnotation, o.configMapAutoAnnotation, o.secretAutoAnnotation, o.searchAnnotation,
    o.configMapExcludeAnnotation, o.secretExcludeAnnotation, settings.pausePeriodAnnotation, settings.rolloutStrategyAnnotation,
  ]);
}
