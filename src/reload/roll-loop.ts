import type { RollTimes } from '../model/roll-times.ts';
import { changedConfigText, type ChangedConfig } from './changed-config.ts';

/**
 * The restart-loop breaker's limit: at most `maxRolls` rolls of one workload
 * within any `windowMs`. `maxRolls` 0 turns the breaker off.
 */
export interface RollLoopLimit {
  readonly maxRolls: number;
  readonly windowMs: number;
}

/** A roll the breaker holds back: `rolls` within the window, held until `until` (epoch ms). */
export interface RollLoopHold {
  readonly rolls: number;
  readonly until: number;
}

/**
 * Whether a roll at `now` would break the limit, from the roll times the
 * workload carries (so it holds across restarts and leader changes): it is
 * held when `maxRolls` rolls or more fall within the window before `now`,
 * until the window has passed since the last of them. Then the count is
 * zero and it rolls once, with the newest data. Times after `now` (a clock
 * ahead, or a hand-written annotation) are not counted, so no value of the
 * annotation can hold a workload longer than one window.
 */
export function rollLoopHold(rolledAt: RollTimes, limit: RollLoopLimit, now: number): RollLoopHold | undefined {
  if (limit.maxRolls === 0) return undefined;
  const within = rolledAt.filter((t) => t <= now && now - t < limit.windowMs);
  const last = within.at(-1);
  if (within.length < limit.maxRolls || last === undefined) return undefined;
  return { rolls: within.length, until: last + limit.windowMs };
}

/**
 * The ReloadLoop Event's text: how often it rolled, the configs that keep
 * changing with who last wrote them where the API tells, and when it rolls.
 */
export function rollLoopMessage(
  hold: { readonly rolls: number; readonly windowMs: number; readonly until: number },
  changing: readonly ChangedConfig[],
): string {
  const configs = changing.map(changedConfigText).join('; ');
  return (
    `held as a restart loop: rolled ${hold.rolls} times within ${durationText(hold.windowMs)}; ${configs}; ` +
    `it rolls once with the newest data at ${new Date(hold.until).toISOString()}`
  );
}

/** `10m`, `1m30s`, `1h30m`: a duration of whole seconds as a flag would spell it. */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join('');
}
