import { parseBool } from '../parse-bool.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import type { DecideSettings, Findings, HoldReason } from './decision.ts';
import { heldUntil, parseMaintenanceWindows } from './maintenance-window.ts';
import type { NamespaceHolds } from './namespace-holds.ts';

/** A hold a safe rollout puts on a roll, when (epoch ms) it ends by itself, and the bad values it met on the way. */
export interface RolloutHold {
  readonly hold: { readonly reason: HoldReason; readonly until: number | undefined } | undefined;
  readonly findings: Findings;
}

/**
 * Whether a roll waits: a freeze ("true", read as strconv.ParseBool) holds it
 * until lifted; outside its maintenance windows it waits for the next to
 * open. A window annotation that does not parse is reported and counts as
 * no window, so a typo never holds a workload's rolls for good; it does not
 * fall back to --maintenance-window either, as the workload meant its own.
 *
 * The Namespace's annotations (`namespace`, parsed and reported by its
 * cache) hold too: a frozen Namespace holds every workload in it, whatever
 * the workload says; its windows apply to a workload without a window
 * annotation of its own, and take the place of --maintenance-window.
 */
export function rolloutHold(
  workload: WorkloadRecord,
  namespace: NamespaceHolds | undefined,
  settings: DecideSettings,
  now: number,
  findings: Findings,
): RolloutHold {
  const read = (annotation: string): string | undefined =>
    workload.annotations[annotation] ?? workload.templateAnnotations[annotation];
  const { freeze, maintenanceWindow } = settings.annotations;
  const frozenText = read(freeze);
  const frozen = parseBool(frozenText);
  const found =
    frozenText !== undefined && frozen === undefined
      ? { ...findings, notBooleans: [...findings.notBooleans, { annotation: freeze, value: frozenText }] }
      : findings;
  if (namespace?.frozen === true)
    return { hold: { reason: { why: 'freeze', namespace: namespace.name }, until: undefined }, findings: found };
  if (frozen === true) return { hold: { reason: { why: 'freeze' }, until: undefined }, findings: found };

  const windowText = read(maintenanceWindow);
  const byNamespace = windowText === undefined ? namespace?.windows : undefined;
  const parsed =
    windowText !== undefined
      ? parseMaintenanceWindows(windowText)
      : { ok: true as const, windows: byNamespace ?? settings.maintenanceWindows };
  if (!parsed.ok) {
    const problem = {
      annotation: maintenanceWindow,
      pattern: windowText ?? '',
      error: `${parsed.error}; treated as no window, so it rolls at any time`,
    };
    return { hold: undefined, findings: { ...found, invalid: [...found.invalid, problem] } };
  }
  const until = heldUntil(parsed.windows, now);
  if (until === undefined) return { hold: undefined, findings: found };
  const reason =
    byNamespace === undefined || namespace === undefined
      ? { why: 'maintenance-window' as const }
      : { why: 'maintenance-window' as const, namespace: namespace.name };
  return { hold: { reason, until }, findings: found };
}
