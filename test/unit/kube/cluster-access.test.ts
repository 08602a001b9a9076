import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutTrailingSlashes } from '../../../src/kube/cluster-access.ts';

test('withoutTrailingSlashes drops only the slashes at the end', () => {
  assert.equal(withoutTrailingSlashes('https://h:6443/'), 'https://h:6443');
  assert.equal(withoutTrailingSlashes('https://h/k8s/clusters/c-1///'), 'https://h/k8s/clusters/c-1');
  assert.equal(withoutTrailingSlashes('https://h/a/b'), 'https://h/a/b');
  assert.equal(withoutTrailingSlashes('///'), '');
});

test(
  'withoutTrailingSlashes is linear on a long run of slashes that does not end the text (a regex is quadratic there)',
  { timeout: 10_000 },
  () => {
    const text = `https://h/${'/'.repeat(300_000)}x`;
    assert.equal(withoutTrailingSlashes(text), text);
  },
);
