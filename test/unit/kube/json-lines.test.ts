import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JsonLineSplitter, type JsonLine } from '../../../src/kube/json-lines.ts';

const encoder = new TextEncoder();

/** Feeds `bytes` cut at `cuts` and collects every line, including the last unterminated one. */
function split(bytes: Uint8Array, cuts: readonly number[], maxLineBytes?: number): JsonLine[] {
  const splitter = new JsonLineSplitter(maxLineBytes);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: JsonLine[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...splitter.push(bytes.subarray(start, p)));
    start = p;
  }
  out.push(...splitter.end());
  return out;
}

test('any cut of a stream of JSON lines gives back the same values in order', () => {
  const value = fc.record({
    type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'),
    object: fc.record({ metadata: fc.record({ name: fc.string({ unit: 'grapheme' }), resourceVersion: fc.string() }) }),
  });
  fc.assert(
    fc.property(
      fc.array(value, { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.boolean(),
      (values, cuts, trailingNewline) => {
        const text = values.map((v) => JSON.stringify(v)).join('\n') + (trailingNewline ? '\n' : '');
        const got = split(encoder.encode(text), cuts);
        assert.deepEqual(
          got,
          values.map((v) => ({ ok: true, value: JSON.parse(JSON.stringify(v)) as unknown })),
        );
      },
    ),
  );
});

test('a multi-byte character split across chunks survives', () => {
  const bytes = encoder.encode(`${JSON.stringify({ name: 'zäöü€😀' })}\n`);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(split(bytes, [cut]), [{ ok: true, value: { name: 'zäöü€😀' } }]);
  }
});

test('a line that is not JSON is reported by length only, and the lines around it still parse', () => {
  const got = split(encoder.encode('{"a":1}\n{not json hunter2\r\n\n  \n{"b":2}\r\n'), [3, 11]);
  assert.deepEqual(got, [
    { ok: true, value: { a: 1 } },
    { ok: false, length: '{not json hunter2\r'.length },
    { ok: true, value: { b: 2 } },
  ]);
  assert.ok(!JSON.stringify(got).includes('hunter2'));
});

test('a line longer than the limit throws; only the unfinished line counts', () => {
  const splitter = new JsonLineSplitter(16);
  assert.deepEqual(splitter.push(encoder.encode('{"long":"0123456789"}\n{"c":3}\n')), [
    { ok: true, value: { long: '0123456789' } },
    { ok: true, value: { c: 3 } },
  ]);
  assert.deepEqual(splitter.push(encoder.encode('{"a":1}\n{"b":')), [{ ok: true, value: { a: 1 } }]);
  assert.throws(() => splitter.push(encoder.encode('"0123456789abcdef"')), /exceeds 16 bytes/);
});

test('lines of up to 300 KB, cut anywhere, between short ones, parse whole', () => {
  const line = fc.oneof(
    fc.record({ s: fc.string({ maxLength: 40 }) }),
    fc.nat({ max: 300_000 }).map((n) => ({ s: 'x'.repeat(n) })),
  );
  fc.assert(
    fc.property(
      fc.array(line, { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (values, cuts) => {
        const text = values.map((v) => JSON.stringify(v)).join('\n');
        assert.deepEqual(
          split(encoder.encode(text), cuts),
          values.map((v) => ({ ok: true, value: JSON.parse(JSON.stringify(v)) as unknown })),
        );
      },
    ),
    { numRuns: 60 },
  );
});
