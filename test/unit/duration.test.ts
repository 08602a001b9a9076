import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDuration } from '../../src/duration.ts';

test('durations: Go syntax in milliseconds', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['2s', 2000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['250us', 0.25],
    ['100ns', 0.0001],
    ['+3s', 3000],
    ['-1s', -1000],
    ['', undefined],
    ['5', undefined],
    ['s', undefined],
    ['1d', undefined],
    ['1.s.', undefined],
    ['2 s', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parseDuration(input), expected, input);
});

test('property: a sum of h/m/s/ms parts parses to its total', () => {
  const part = fc.record({ n: fc.integer({ min: 0, max: 999 }), unit: fc.constantFrom('h', 'm', 's', 'ms') });
  const ms: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
      const text = parts.map((p) => `${p.n}${p.unit}`).join('');
      const total = parts.reduce((sum, p) => sum + p.n * (ms[p.unit] ?? 0), 0);
      assert.equal(parseDuration(text), total);
    }),
  );
});

test('durations follow Go at the edges: unit spellings, bare dots, the 0 special case, int64 nanoseconds', () => {
  const cases: [string, number | undefined][] = [
    ['1.s', 1000],
    ['1.5µs', 0.0015],
    ['2μs', 0.002],
    ['-0', 0],
    ['+0', 0],
    ['2562047h', 9_223_369_200_000],
    ['.s', undefined],
    ['.', undefined],
    ['-', undefined],
    ['00', undefined],
    ['1h-1m', undefined],
    ['2562048h', undefined],
    ['5toString', undefined],
    ['5__proto__', undefined],
    ['1H', undefined],
    ['1sec', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parseDuration(input), expected, input);
});

test('durations: adversarial and oversized inputs are rejected quickly', () => {
  for (const text of [
    '10h'.repeat(40) + 'x',
    '1'.repeat(10_000) + 'x',
    '1.'.repeat(5_000),
    '1h'.repeat(5_000),
    ' '.repeat(10_000),
  ]) {
    assert.equal(parseDuration(text), undefined, text.slice(0, 20));
  }
  assert.equal(parseDuration('1h'.repeat(32)), 32 * 3_600_000, 'up to MAX_DURATION_TEXT characters parse');
});

test("property: the parser accepts exactly the strings of Go's duration grammar", () => {
  // The grammar as a reference, run only on short strings (this regex backtracks; the parser must not).
  const grammar = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/u;
  const char = fc.constantFrom('0', '1', '7', '.', '+', '-', 'h', 'm', 's', 'n', 'u', 'µ', 'x', ' ');
  fc.assert(
    fc.property(
      fc.array(char, { maxLength: 12 }).map((cs) => cs.join('')),
      (text) => {
        const reference = /^[+-]?0$/.test(text.trim()) || grammar.test(text.trim());
        assert.equal(parseDuration(text) !== undefined, reference, JSON.stringify(text));
      },
    ),
    { numRuns: 5000 },
  );
});
