import assert from 'node:assert/strict';
import { test } from 'node:test';
import { text } from '../../../src/migrate/helm-values.ts';

test('text reads a number or a boolean where a values file means text, as Helm prints it', () => {
  assert.equal(text(5), '5');
  assert.equal(text(true), 'true');
  assert.equal(text('info'), 'info');
  assert.equal(text(undefined), '');
  assert.equal(text(null), '');
});
