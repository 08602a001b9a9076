import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NamespaceScope } from '../../../src/controller/namespace-scope.ts';

test('ignored namespaces are always excluded', () => {
  const scope = new NamespaceScope(['kube-system'], false);
  assert.equal(scope.excludes('kube-system'), true);
  assert.equal(scope.excludes('apps'), false);
});

test('with a selector only selected namespaces are in scope, and changes are reported once', () => {
  const scope = new NamespaceScope([], true);
  assert.equal(scope.excludes('apps'), true);
  assert.equal(scope.setSelected('apps', true), true);
  assert.equal(scope.setSelected('apps', true), false);
  assert.equal(scope.excludes('apps'), false);
  assert.deepEqual([...scope.selected()], ['apps']);
  assert.equal(scope.setSelected('apps', false), true);
  assert.equal(scope.excludes('apps'), true);
});

test('without a selector, selection changes are ignored', () => {
  const scope = new NamespaceScope([], false);
  assert.equal(scope.setSelected('apps', true), false);
  assert.equal(scope.excludes('other'), false);
});
