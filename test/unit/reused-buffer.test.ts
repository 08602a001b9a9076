import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReusedBuffer } from '../../src/reused-buffer.ts';

test('the same buffer is handed out again, and what was written is zeroed on release', () => {
  const scratch = new ReusedBuffer();
  const first = scratch.reserve(3);
  first.write('secret');
  scratch.release(6);
  const again = scratch.reserve(5);
  assert.equal(again, first);
  assert.ok(again.every((b) => b === 0));
});

test('growing keeps the bytes asked for and zeroes the buffer it replaces', () => {
  const scratch = new ReusedBuffer();
  const small = scratch.reserve(4);
  small.write('abcd');
  const grown = scratch.reserve(small.byteLength + 1, 4);
  assert.notEqual(grown, small);
  assert.equal(grown.subarray(0, 4).toString(), 'abcd');
  assert.ok(small.every((b) => b === 0));
});

test('a buffer grown beyond 64 KiB is dropped on release; a smaller one is kept', () => {
  const scratch = new ReusedBuffer();
  const kept = scratch.reserve(64 * 1024);
  scratch.release(0);
  assert.equal(scratch.reserve(1), kept);
  const large = scratch.reserve(64 * 1024 + 1);
  large.fill(7);
  scratch.release(large.byteLength);
  assert.ok(large.every((b) => b === 0));
  assert.notEqual(scratch.reserve(1), large);
});
