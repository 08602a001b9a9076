import { isDigits } from '../model/digits.ts';

/**
 * A wave plan as written in `rollout-waves` (or --rollout-waves): a comma
 * list of cumulative ends, each a count of workloads (`1`) or a share of the
 * config's followers (`50%`, rounded up). `"1,10%,50%,100%"` rolls one
 * workload, then up to a tenth, then up to half, then the rest.
 */
export type WaveEnd = { readonly count: number } | { readonly percent: number };

/** At most this many entries; a longer list is refused, not cut. */
export const MAX_WAVES = 20;
const MAX_TEXT = 256;
const MAX_COUNT = 1_000_000;

export type ParsedWaves =
  { readonly ok: true; readonly ends: readonly WaveEnd[] } | { readonly ok: false; readonly error: string };

/** Reads a plan in one pass over each entry; an empty value or a bad entry is an error naming it. */
export function parseRolloutWaves(text: string): ParsedWaves {
  if (text.length > MAX_TEXT) return { ok: false, error: `longer than ${MAX_TEXT} characters` };
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > MAX_WAVES) return { ok: false, error: `more than ${MAX_WAVES} waves` };
  const ends: WaveEnd[] = [];
  for (const part of parts) {
    const percent = part.endsWith('%');
    const digits = percent ? part.slice(0, -1) : part;
    if (!isDigits(digits, 7)) return { ok: false, error: `${JSON.stringify(part)} is no count or percentage` };
    const n = Number(digits);
    if (percent ? n < 1 || n > 100 : n < 1 || n > MAX_COUNT)
      return {
        ok: false,
        error: percent
          ? `${JSON.stringify(part)} is not between 1% and 100%`
          : `${JSON.stringify(part)} is not between 1 and ${MAX_COUNT}`,
      };
    ends.push(percent ? { percent: n } : { count: n });
  }
  return { ok: true, ends };
}

/**
 * Where each wave ends in the ordered followers: cumulative counts, strictly
 * rising, the last always `total`. The first `canaries` (when any) form the
 * first wave whatever the plan says; an end at or below the one before adds no
 * wave, and what the plan leaves over forms a final wave.
 */
export function waveEnds(ends: readonly WaveEnd[], total: number, canaries: number): number[] {
  const out: number[] = [];
  let last = 0;
  const push = (end: number): void => {
    const bounded = Math.min(end, total);
    if (bounded > last) {
      out.push(bounded);
      last = bounded;
    }
  };
  push(canaries);
  for (const end of ends) push('count' in end ? end.count : Math.ceil((end.percent * total) / 100));
  push(total);
  return out;
}
