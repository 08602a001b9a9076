import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decisionOptions } from '../../../src/explain/decision-flags.ts';
import { OptionsError } from '../../../src/options/options-error.ts';

const none = { argv: [], env: {} };

test('decision flags are read as run reads them, annotation names included', () => {
  const options = decisionOptions(none, [
    '--auto-reload-all',
    '--auto-annotation=example.com/auto',
    '--namespace-selector',
    'team:x',
    '--resources-to-ignore=secrets',
  ]);
  assert.equal(options.autoReloadAll, true);
  assert.equal(options.annotations.auto, 'example.com/auto');
  assert.equal(options.namespaceSelector, 'team=x', "Stakater's k:v, normalized as run does");
  assert.deepEqual(options.resourcesToIgnore, ['Secret']);
});

test('flags that decide nothing are accepted and left out, so a flag that needs its environment does not fail', () => {
  const options = decisionOptions(none, ['--enable-ha', '--workers=4', '--webhook-url=https://example.com/hook']);
  assert.equal(options.ha, undefined);
  assert.equal(options.webhookUrl, undefined);
});

test('an unknown flag or a bad value is refused as run refuses it', () => {
  assert.throws(
    () => decisionOptions(none, ['--auto-reload-al']),
    (err: unknown) => err instanceof OptionsError && /--auto-reload-all/.test(err.message),
  );
  assert.throws(
    () => decisionOptions(none, ['--namespace-selector=a b']),
    (err: unknown) => err instanceof OptionsError && /--namespace-selector/.test(err.message),
  );
});

test("the controller's Deployment gives the base; a flag on the command line replaces that flag, and only decision variables are read", () => {
  const deployment = {
    argv: ['--auto-reload-all', '--namespaces=a', '--enabled-label=example.com/on', '--debounce=5s'],
    env: { KUBERNETES_NAMESPACE: 'b', POD_NAME: 'x' },
  };
  const options = decisionOptions(deployment, ['--namespaces=c']);
  assert.equal(options.autoReloadAll, true);
  assert.equal(options.enabledLabel, 'example.com/on');
  assert.deepEqual(options.namespaces, ['c']);
  assert.deepEqual(
    decisionOptions({ argv: [], env: deployment.env }, []).namespaces,
    ['b'],
    "KUBERNETES_NAMESPACE: Stakater's single-namespace mode",
  );
});
