import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReportedOnce } from '../../../src/reload/reported-once.ts';

test('a problem is reported the first time only', () => {
  const reported = new ReportedOnce(10);
  assert.equal(reported.first('uid/reload/broken['), true);
  assert.equal(reported.first('uid/reload/broken['), false);
  assert.equal(reported.first('uid/reload/other('), true);
  assert.equal(reported.size, 2);
});

test('it keeps at most its limit, dropping the problem seen longest ago', () => {
  const reported = new ReportedOnce(2);
  reported.first('a');
  reported.first('b');
  assert.equal(reported.first('a'), false, 'seeing a again makes b the oldest');
  assert.equal(reported.first('c'), true);
  assert.equal(reported.size, 2);
  assert.equal(reported.first('a'), false, 'a was kept');
  assert.equal(reported.first('b'), true, 'b was dropped, so it is reported again');
});

test('ten thousand new bad values leave it at its limit', () => {
  const reported = new ReportedOnce(100);
  for (let i = 0; i < 10_000; i++) reported.first(`uid/reload/broken${i}[`);
  assert.equal(reported.size, 100);
});
