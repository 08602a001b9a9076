const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/u;
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gu;

/**
 * A Go duration (`time.ParseDuration`: `500ms`, `2s`, `1h30m`, `1.5s`,
 * a bare `0`) in milliseconds; undefined when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^[+-]?0$/.test(s)) return 0;
  const match = DURATION.exec(s);
  if (match === null) return undefined;
  let total = 0;
  for (const [, amount, unit] of (match[2] ?? '').matchAll(DURATION_PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
  // Decimal fractions of a unit are not exact in binary floating point.
  total = Math.round(total * 1e6) / 1e6;
  return match[1] === '-' ? -total : total;
}
