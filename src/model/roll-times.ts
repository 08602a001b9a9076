import { isDigits } from './digits.ts';

/**
 * When the controller last rolled a workload, kept in one annotation on the
 * workload's metadata and written in the same write as each roll: epoch
 * seconds, oldest first, comma separated (`1764633600,1764633900`).
 *
 * It is the state that outlives the controller for what depends on the time
 * of past rolls: the health gate of a wave times out from its rolls, and the
 * restart-loop breaker counts them. The annotation is written by tenants'
 * tooling too (a copy, a hand edit), so it is read linearly, bounded, and
 * anything that is not a time is left out rather than trusted.
 */
export type RollTimes = readonly number[];

/** At most this many times are kept: the newest. */
export const ROLL_TIMES_KEPT = 16;

/** A longer annotation value is not read at all. */
const MAX_TEXT = ROLL_TIMES_KEPT * 12;

/** Epoch ms, ascending; empty for an absent, overlong or unreadable value. Entries that are not whole seconds are dropped. */
export function parseRollTimes(text: string | undefined): RollTimes {
  if (text === undefined || text.length > MAX_TEXT) return [];
  const times: number[] = [];
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    if (!isDigits(trimmed, 11)) continue;
    times.push(Number(trimmed) * 1000);
  }
  return times.sort((a, b) => a - b).slice(-ROLL_TIMES_KEPT);
}

export function formatRollTimes(times: RollTimes): string {
  return times.map((t) => Math.floor(t / 1000)).join(',');
}

/** The times after a roll at `now`: the newest ROLL_TIMES_KEPT, never one in the future of `now`. */
export function withRollAt(times: RollTimes, now: number): RollTimes {
  return [...times.filter((t) => t <= now), now].slice(-ROLL_TIMES_KEPT);
}

/** The time of the last roll, if any. */
export function lastRoll(times: RollTimes): number | undefined {
  return times.at(-1);
}
