/** Longer text is no duration: Go durations people write are a few parts long, and the parse stays cheap. */
export const MAX_DURATION_TEXT = 64;

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ns', 1e-6],
  ['us', 1e-3],
  ['µs', 1e-3],
  ['μs', 1e-3],
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

/** Go's limit: a time.Duration is an int64 of nanoseconds. */
const MAX_MS = 9_223_372_036_854.775;

/**
 * A Go duration (`time.ParseDuration`: `500ms`, `2s`, `1h30m`, `1.5s`,
 * a bare `0`) in milliseconds, rounded to the nanosecond; undefined when it
 * is not one, is longer than MAX_DURATION_TEXT after trimming, or is beyond
 * what Go's int64 nanoseconds hold.
 *
 * The grammar is Go's, `[-+]?([0-9]*(\.[0-9]*)?unit)+` with at least one
 * digit per part, read in one pass without a regex: each character is looked
 * at a bounded number of times, so the cost is linear in the input.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s.length > MAX_DURATION_TEXT) return undefined;
  let i = 0;
  const sign = s[0] === '-' || s[0] === '+' ? s[i++] : '';
  if (s.slice(i) === '0') return 0;
  if (i === s.length) return undefined;
  let total = 0;
  while (i < s.length) {
    const start = i;
    while (isDigit(s, i)) i++;
    let digits = i - start;
    if (s[i] === '.') {
      const fraction = ++i;
      while (isDigit(s, i)) i++;
      digits += i - fraction;
    }
    if (digits === 0) return undefined;
    const amount = Number(s.slice(start, i));
    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !isDigit(s, i)) i++;
    const unit = UNIT_MS.get(s.slice(unitStart, i));
    if (unit === undefined) return undefined;
    total += amount * unit;
  }
  // Decimal fractions of a unit are not exact in binary floating point.
  total = Math.round(total * 1e6) / 1e6;
  if (total > MAX_MS) return undefined;
  return sign === '-' ? -total : total;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}
