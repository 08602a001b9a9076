import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  heldUntil,
  MAX_WINDOW_TEXT,
  MAX_WINDOWS,
  parseMaintenanceWindows,
  type MaintenanceWindow,
} from '../../../src/reload/maintenance-window.ts';

function windows(text: string): readonly MaintenanceWindow[] {
  const parsed = parseMaintenanceWindows(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.windows;
}

function error(text: string): string {
  const parsed = parseMaintenanceWindows(text);
  assert.ok(!parsed.ok, `${JSON.stringify(text)} should not parse`);
  return parsed.error;
}

const at = (iso: string): number => Date.parse(iso);

test('parses days, ranges, Daily, a time zone (UTC when left out), extra spaces and any letter case', () => {
  const [weekdays, saturday] = windows(' Mon-Fri  02:00-04:00 Europe/Berlin ,sat 00:00-06:00');
  assert.deepEqual([...(weekdays?.days ?? [])], [1, 2, 3, 4, 5]);
  assert.deepEqual(
    { start: weekdays?.start, end: weekdays?.end, timeZone: weekdays?.timeZone },
    { start: 120, end: 240, timeZone: 'Europe/Berlin' },
  );
  assert.deepEqual({ days: [...(saturday?.days ?? [])], timeZone: saturday?.timeZone }, { days: [6], timeZone: 'UTC' });
  assert.deepEqual(
    [...(windows('Fri-Mon 00:00-24:00')[0]?.days ?? [])].sort(),
    [0, 1, 5, 6],
    'a day range wraps over the week end',
  );
  assert.equal(windows('DAILY 22:00-02:00 UTC')[0]?.days.size, 7);
  assert.deepEqual(windows(''), [], 'empty: no window, always open');
});

test('a value that does not parse says what is wrong', () => {
  assert.match(error('Mon 02:00-04:00 Mars/Olympus'), /time zone "Mars\/Olympus" is not known/);
  assert.match(error('Someday 02:00-04:00'), /days "Someday"/);
  assert.match(error('Mon-Tue-Wed 02:00-04:00'), /days/);
  assert.match(error('Mon 2:00-04:00'), /time range "2:00-04:00" is not HH:MM-HH:MM/);
  assert.match(error('Mon 02:00-04:60'), /time range/);
  assert.match(error('Mon 24:00-02:00'), /time range/, '24:00 only ends a window');
  assert.match(error('Mon 02:00'), /time range/);
  assert.match(error('Mon 02:00-02:00'), /empty/);
  assert.match(error('02:00-04:00'), /expected days, a time range and a time zone/);
  assert.match(error('Mon 02:00-04:00 UTC, '), /"": expected days/, 'an empty item in a list');
});

test('a value is bounded in length and in the number of windows', () => {
  assert.match(error('x'.repeat(MAX_WINDOW_TEXT + 1)), /longer than 512 characters/);
  assert.match(
    error(Array.from({ length: MAX_WINDOWS + 1 }, () => 'Mon 01:00-02:00').join(',')),
    /more than 16 windows/,
  );
  assert.equal(windows(Array.from({ length: MAX_WINDOWS }, () => 'Mon 01:00-02:00').join(',')).length, MAX_WINDOWS);
  // A long run of separators parses in linear time (no backtracking to speak of).
  assert.match(error(`Mon${' '.repeat(MAX_WINDOW_TEXT - 3)}`), /expected days/);
});

test("open inside a window: nothing is held; outside: held until the next opening, in the window's time zone", () => {
  const berlin = windows('Mon-Fri 02:00-04:00 Europe/Berlin');
  // Monday 2026-11-23 is CET (UTC+1): 02:00 Berlin is 01:00 UTC.
  assert.equal(heldUntil(berlin, at('2026-11-23T01:30:00Z')), undefined);
  assert.equal(heldUntil(berlin, at('2026-11-23T00:59:00Z')), at('2026-11-23T01:00:00Z'));
  assert.equal(
    heldUntil(berlin, at('2026-11-23T03:00:00Z')),
    at('2026-11-24T01:00:00Z'),
    'the end is not in the window: the next day',
  );
  assert.equal(heldUntil(berlin, at('2026-11-27T03:00:00Z')), at('2026-11-30T01:00:00Z'), 'after Friday: Monday');
  // In summer Berlin is UTC+2: the same wall time is an hour earlier in UTC.
  assert.equal(heldUntil(berlin, at('2026-07-06T02:30:00Z')), at('2026-07-07T00:00:00Z'));
  assert.equal(heldUntil(berlin, at('2026-07-05T23:59:00Z')), at('2026-07-06T00:00:00Z'));
  assert.equal(heldUntil(berlin, at('2026-07-06T00:00:00Z')), undefined);
  assert.equal(heldUntil([], at('2026-11-23T03:00:00Z')), undefined, 'no windows: always open');
});

test('a window across midnight is open on the night after its day, and the earliest of several windows is the one waited for', () => {
  const sundayNight = windows('Sun 22:00-02:00 UTC');
  assert.equal(heldUntil(sundayNight, at('2026-11-22T23:00:00Z')), undefined, 'Sunday 23:00');
  assert.equal(heldUntil(sundayNight, at('2026-11-23T01:59:00Z')), undefined, 'Monday 01:59, still Sunday night');
  assert.equal(heldUntil(sundayNight, at('2026-11-23T02:00:00Z')), at('2026-11-29T22:00:00Z'));
  assert.equal(
    heldUntil(sundayNight, at('2026-11-24T01:00:00Z')),
    at('2026-11-29T22:00:00Z'),
    'Tuesday 01:00 is not Sunday night',
  );
  const two = windows('Sat 00:00-06:00 UTC, Mon-Fri 02:00-04:00 America/New_York');
  // Friday 2026-11-27 12:00 UTC: New York (UTC-5) opens again Monday 07:00 UTC, Saturday 00:00 UTC comes first.
  assert.equal(heldUntil(two, at('2026-11-27T12:00:00Z')), at('2026-11-28T00:00:00Z'));
  assert.equal(heldUntil(two, at('2026-11-26T12:00:00Z')), at('2026-11-27T07:00:00Z'));
});
