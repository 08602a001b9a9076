/**
 * Weekly maintenance windows, as people write them:
 * `"Mon-Fri 02:00-04:00 Europe/Berlin, Sat 00:00-06:00 UTC"`.
 *
 * Each window is days, a time range and an IANA time zone (UTC when left
 * out). Days are one day (`Sat`), a range (`Mon-Fri`, `Fri-Mon` wraps) or
 * `Daily`. A range that ends before it starts runs across midnight into the
 * next day (`Sun 22:00-02:00` is Sunday night); `24:00` ends at midnight.
 * Parsed with plain string scans, no regexes, and bounded in length and count.
 */

export const MAX_WINDOW_TEXT = 512;
export const MAX_WINDOWS = 16;

export interface MaintenanceWindow {
  /** Days the window opens on, 0 = Sunday. */
  readonly days: ReadonlySet<number>;
  /** Minutes after local midnight. */
  readonly start: number;
  /** Minutes after local midnight; at most start means the next day. */
  readonly end: number;
  readonly timeZone: string;
}

export type WindowParse =
  | { readonly ok: true; readonly windows: readonly MaintenanceWindow[] }
  | { readonly ok: false; readonly error: string };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

export function parseMaintenanceWindows(text: string): WindowParse {
  if (text.length > MAX_WINDOW_TEXT) return { ok: false, error: `longer than ${MAX_WINDOW_TEXT} characters` };
  if (text.trim() === '') return { ok: true, windows: [] };
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > MAX_WINDOWS) return { ok: false, error: `more than ${MAX_WINDOWS} windows` };
  const windows: MaintenanceWindow[] = [];
  for (const part of parts) {
    const window = parseWindow(part);
    if (typeof window === 'string') return { ok: false, error: `${JSON.stringify(part)}: ${window}` };
    windows.push(window);
  }
  return { ok: true, windows };
}

function parseWindow(text: string): MaintenanceWindow | string {
  const words = text.split(' ').filter((w) => w !== '');
  if (words.length < 2 || words.length > 3)
    return 'expected days, a time range and a time zone, such as "Mon-Fri 02:00-04:00 Europe/Berlin"';
  const [dayText = '', rangeText = '', timeZone = 'UTC'] = words;
  const days = parseDays(dayText);
  if (days === undefined) return `days ${JSON.stringify(dayText)} are not a day (Mon), a range (Mon-Fri) or Daily`;
  const [startText = '', endText, extra] = rangeText.split('-');
  const start = parseTime(startText, false);
  const end = endText === undefined ? undefined : parseTime(endText, true);
  if (start === undefined || end === undefined || extra !== undefined)
    return `time range ${JSON.stringify(rangeText)} is not HH:MM-HH:MM`;
  if (start === end) return 'the window is empty: it starts when it ends';
  if (!validTimeZone(timeZone))
    return `time zone ${JSON.stringify(timeZone)} is not known (use an IANA name such as Europe/Berlin, or UTC)`;
  return { days, start, end, timeZone };
}

function parseDays(text: string): ReadonlySet<number> | undefined {
  if (text.toLowerCase() === 'daily') return new Set([0, 1, 2, 3, 4, 5, 6]);
  const [first = '', last, extra] = text.split('-');
  const from = DAY_NAMES.indexOf(first.toLowerCase());
  const to = last === undefined ? from : DAY_NAMES.indexOf(last.toLowerCase());
  if (from < 0 || to < 0 || extra !== undefined) return undefined;
  const days = new Set<number>();
  for (let d = from; ; d = (d + 1) % 7) {
    days.add(d);
    if (d === to) return days;
  }
}

/** `HH:MM`, 00:00-23:59; 24:00 too for an end. */
function parseTime(text: string, isEnd: boolean): number | undefined {
  if (text.length !== 5 || text[2] !== ':') return undefined;
  const digits = [text[0], text[1], text[3], text[4]].map((c) =>
    c !== undefined && c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : -1,
  );
  if (digits.some((d) => d < 0)) return undefined;
  const [h1 = 0, h2 = 0, m1 = 0, m2 = 0] = digits;
  const hours = h1 * 10 + h2;
  const minutes = m1 * 10 + m2;
  if (minutes > 59) return undefined;
  if (hours === 24 && minutes === 0 && isEnd) return DAY_MINUTES;
  return hours > 23 ? undefined : hours * 60 + minutes;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function validTimeZone(timeZone: string): boolean {
  if (timeZone.length > 64) return false;
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** One formatter per time zone; the zones are those of parsed windows, so few. */
function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    if (formats.size < 1000) formats.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  readonly weekday: number;
  readonly minute: number;
  /** The wall time as if it were UTC, in epoch ms, to the minute. */
  readonly wallMs: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  const parts = new Map(
    format(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const num = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.get(type));
  const hour = num('hour');
  const minute = num('minute');
  return {
    weekday: DAY_NAMES.indexOf((parts.get('weekday') ?? '').toLowerCase()),
    minute: hour * 60 + minute,
    wallMs: Date.UTC(num('year'), num('month') - 1, num('day'), hour, minute),
  };
}

/** The instant a wall time in a time zone names (in a DST gap, as near as the offsets allow). */
function instantOf(wallMs: number, timeZone: string): number {
  let guess = wallMs;
  for (let i = 0; i < 2; i += 1)
    guess = wallMs - (wallClock(guess, timeZone).wallMs - Math.floor(guess / MINUTE_MS) * MINUTE_MS);
  return guess;
}

function isOpenIn(window: MaintenanceWindow, now: number): boolean {
  const { weekday, minute } = wallClock(now, window.timeZone);
  if (window.end > window.start) return window.days.has(weekday) && minute >= window.start && minute < window.end;
  return (
    (window.days.has(weekday) && minute >= window.start) || (window.days.has((weekday + 6) % 7) && minute < window.end)
  );
}

function nextOpeningOf(window: MaintenanceWindow, now: number): number {
  const { weekday, minute, wallMs } = wallClock(now, window.timeZone);
  const midnight = wallMs - minute * MINUTE_MS;
  for (let k = 0; k <= 7; k += 1) {
    if (!window.days.has((weekday + k) % 7)) continue;
    const opening = instantOf(midnight + (k * DAY_MINUTES + window.start) * MINUTE_MS, window.timeZone);
    if (opening > now) return opening;
  }
  // Unreachable for a window with a day: the same weekday a week on is always later.
  return now + 7 * DAY_MINUTES * MINUTE_MS;
}

/** Undefined when a window is open at `now`; otherwise when the next one opens (epoch ms). */
export function heldUntil(windows: readonly MaintenanceWindow[], now: number): number | undefined {
  if (windows.length === 0 || windows.some((w) => isOpenIn(w, now))) return undefined;
  return Math.min(...windows.map((w) => nextOpeningOf(w, now)));
}
