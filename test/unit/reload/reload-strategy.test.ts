import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LAST_RELOADED_FROM,
  stakaterEnvName,
  templateMark,
  type FollowedConfig,
  type RollPlan,
} from '../../../src/reload/reload-strategy.ts';

const vault: FollowedConfig = { kind: 'SecretProviderClass', name: 'vault-db', hash: 'abc', containers: ['app'] };
const plan: RollPlan = {
  combined: 'c',
  configs: [vault],
  trigger: vault,
  namespace: 'apps',
  containers: ['app'],
  observedAt: 1,
};

test("a SecretProviderClass's mark carries Stakater's SECRETPROVIDERCLASS type, in the variable name and in last-reloaded-from", () => {
  assert.equal(stakaterEnvName('SecretProviderClass', 'vault-db'), 'STAKATER_VAULT_DB_SECRETPROVIDERCLASS');
  assert.deepEqual(templateMark('env-vars', plan, 'h').env.get('app'), [
    { name: 'STAKATER_VAULT_DB_SECRETPROVIDERCLASS', value: 'abc' },
  ]);
  const annotation = templateMark('annotations', plan, 'h').annotations[LAST_RELOADED_FROM];
  assert.equal((JSON.parse(annotation ?? '{}') as { type?: string }).type, 'SECRETPROVIDERCLASS');
});
