import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import { KIND_PRESETS } from '../../../src/workload/kind-presets.ts';
import { renderChart } from '../../../tools/helm/render.ts';

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}
interface Rendered {
  readonly kind: string;
  readonly rules?: Rule[];
  readonly spec?: { readonly template: { readonly spec: { readonly containers: { readonly args: string[] }[] } } };
}

async function render(values: Record<string, unknown>): Promise<Rendered[]> {
  return (await renderChart({ values })) as Rendered[];
}

const argsOf = (manifests: readonly Rendered[]): string[] =>
  manifests.find((m) => m.kind === 'Deployment')?.spec?.template.spec.containers[0]?.args ?? [];

/** The verbs granted on `group/resource` by the rules of `kind`, sorted. */
function verbsOn(
  manifests: readonly Rendered[],
  kind: 'ClusterRole' | 'Role',
  group: string,
  resource: string,
): string[] {
  return manifests
    .filter((m) => m.kind === kind)
    .flatMap((m) => m.rules ?? [])
    .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
    .flatMap((r) => r.verbs)
    .sort();
}

describe('workloadKinds in the chart', () => {
  test('each declared kind becomes one --workload-kind, which the controller accepts, and get, list, watch and patch on its resource', async () => {
    const manifests = await render({
      workloadKinds: ['openkruise-cloneset', 'example.com/v1/Thing, resource=things ,restart-field=spec.restartAt'],
    });
    const args = argsOf(manifests);
    assert.deepEqual(args, [
      'run',
      '--workload-kind=openkruise-cloneset',
      '--workload-kind=example.com/v1/Thing, resource=things ,restart-field=spec.restartAt',
    ]);
    assert.equal(parseRunOptions(args.slice(1), {}).workloadKinds.length, 2);
    assert.deepEqual(verbsOn(manifests, 'ClusterRole', 'apps.kruise.io', 'clonesets'), [
      'get',
      'list',
      'patch',
      'watch',
    ]);
    assert.deepEqual(verbsOn(manifests, 'ClusterRole', 'example.com', 'things'), ['get', 'list', 'patch', 'watch']);
  });

  test('every preset gets the rule of its resource', async () => {
    const manifests = await render({ workloadKinds: KIND_PRESETS.map((p) => p.name) });
    for (const preset of KIND_PRESETS) {
      assert.deepEqual(
        verbsOn(manifests, 'ClusterRole', preset.kind.group, preset.kind.resource ?? ''),
        ['get', 'list', 'patch', 'watch'],
        preset.name,
      );
    }
  });

  test('argo-rollout-workloadref keeps the rollouts rule that --stakater-defaults would drop, without granting it twice', async () => {
    const manifests = await render({ config: { stakaterDefaults: true }, workloadKinds: ['argo-rollout-workloadref'] });
    assert.deepEqual(verbsOn(manifests, 'ClusterRole', 'argoproj.io', 'rollouts'), ['get', 'list', 'patch', 'watch']);
  });

  test('dry runs grant reads only; namespaced mode grants in each Role', async () => {
    assert.deepEqual(
      verbsOn(
        await render({ config: { dryRun: true }, workloadKinds: ['knative-service'] }),
        'ClusterRole',
        'serving.knative.dev',
        'services',
      ),
      ['get', 'list', 'watch'],
    );
    const roles = (
      await render({ watchNamespaces: ['a', 'b'], workloadKinds: ['openkruise-advanced-daemonset'] })
    ).filter((m) => m.kind === 'Role');
    assert.equal(roles.length, 2);
    for (const role of roles)
      assert.deepEqual(verbsOn([role], 'Role', 'apps.kruise.io', 'daemonsets'), ['get', 'list', 'patch', 'watch']);
  });

  test('a declaration without resource=, or an unknown preset, fails to render, naming it', async () => {
    await assert.rejects(
      render({ workloadKinds: ['example.com/v1/Thing'] }),
      /"example\.com\/v1\/Thing" needs resource=PLURAL/,
    );
    await assert.rejects(render({ workloadKinds: ['openkruise-clone'] }), /"openkruise-clone" is not a preset/);
  });

  test('no workloadKinds: no --workload-kind and no extra rule', async () => {
    const manifests = await render({});
    assert.ok(!argsOf(manifests).some((a) => a.startsWith('--workload-kind')));
    assert.deepEqual(verbsOn(manifests, 'ClusterRole', 'apps.kruise.io', 'clonesets'), []);
  });
});
