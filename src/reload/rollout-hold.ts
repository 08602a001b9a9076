import { parseBool } from '../parse-bool.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import type { DecideSettings, Findings, HoldReason } from './decision.ts';
import { heldUntil, parseMaintenanceWindows } from './maintenance-window.ts';

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
 */
export function rolloutHold(
  workload: WorkloadRecord,
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
  if (frozen === true) return { hold: { reason: { why: 'freeze' }, until: undefined }, findings: found };

  const windowText = read(maintenanceWindow);
  const parsed =
    windowText === undefined
      ? { ok: true as const, windows: settings.maintenanceWindows }
      : parseMaintenanceWindows(windowText);
  if (!parsed.ok) {
    const problem = {
      annotation: maintenanceWindow,
      pattern: windowText ?? '',
      error: `${parsed.error}; treated as no window, so it rolls at any time`,
    };
    return { hold: undefined, findings: { ...found, invalid: [...found.invalid, problem] } };
  }
  const until = heldUntil(parsed.windows, now);
  return { hold: until === undefined ? undefined : { reason: { why: 'maintenance-window' }, until }, findings: found };
}
