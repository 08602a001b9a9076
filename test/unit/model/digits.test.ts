import assert from 'node:assert/strict';
import test from 'node:test';
import { isDigits } from '../../../src/model/digits.ts';

test('isDigits takes 1 to maxDigits ASCII digits and nothing else', () => {
  assert.equal(isDigits('0', 1), true);
  assert.equal(isDigits('1764633600', 11), true);
  assert.equal(isDigits('', 3), false);
  assert.equal(isDigits('1234', 3), false);
  for (const bad of ['1.5', '-5', ' 1', '1e3', '١٢']) assert.equal(isDigits(bad, 9), false, bad);
});
