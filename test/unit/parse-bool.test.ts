import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseBool } from '../../src/parse-bool.ts';

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

test("parseBool reads exactly the spellings of Go's strconv.ParseBool", () => {
  for (const t of GO_TRUE) assert.equal(parseBool(t), true, t);
  for (const f of GO_FALSE) assert.equal(parseBool(f), false, f);
  for (const other of [
    undefined,
    '',
    'yes',
    'no',
    'on',
    'tRue',
    ' true',
    'true ',
    '01',
    'constructor',
    'x'.repeat(10_000),
  ]) {
    assert.equal(parseBool(other), undefined, String(other).slice(0, 20));
  }
});

test('property: any other string is not a boolean', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 8 }), (text) => {
      const expected = GO_TRUE.includes(text) ? true : GO_FALSE.includes(text) ? false : undefined;
      assert.equal(parseBool(text), expected);
    }),
  );
});
