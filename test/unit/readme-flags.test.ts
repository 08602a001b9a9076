import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { flagReference, README, readmeFlagReference } from '../../tools/docs/flag-reference.ts';

test("the README's flag reference matches the flags the code accepts", () => {
  const current = readmeFlagReference(readFileSync(README, 'utf8'));
  assert.ok(current !== undefined, 'README.md has the flag reference markers');
  assert.equal(current, flagReference(), 'README.md is stale: run npm run docs:flags');
});
