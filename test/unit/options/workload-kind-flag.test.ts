import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatHelp } from '../../../src/options/help.ts';
import { KIND_PRESETS } from '../../../src/workload/kind-presets.ts';
import { assertEachRejected, parse } from './parse-helpers.ts';

describe('--workload-kind', () => {
  test('a full declaration gives the kind, its resource, template and restart field', () => {
    const o = parse(['--workload-kind', 'example.com/v1/Thing,resource=things,restart-field=spec.restartAt']);
    assert.deepEqual(o.workloadKinds, [
      {
        declaration: 'example.com/v1/Thing,resource=things,restart-field=spec.restartAt',
        group: 'example.com',
        version: 'v1',
        kind: 'Thing',
        resource: 'things',
        templatePath: ['spec', 'template'],
        restartField: ['spec', 'restartAt'],
      },
    ]);
    assert.equal(o.rolloutWorkloadRef, false);
  });

  test('without options: the resource is left to discovery and the template is spec.template, marked on a roll', () => {
    const kind = parse(['--workload-kind=apps.kruise.io/v1alpha1/CloneSet']).workloadKinds[0];
    assert.ok(kind);
    assert.equal(kind.resource, undefined);
    assert.deepEqual(kind.templatePath, ['spec', 'template']);
    assert.equal(kind.restartField, undefined);
  });

  test('template takes any field path under spec; options may come in any order, with blanks around them', () => {
    const kind = parse([
      '--workload-kind',
      'batch.example.io/v2beta1/Runner, template=spec.runTemplate.template , resource=runners',
    ]).workloadKinds[0];
    assert.ok(kind);
    assert.deepEqual(kind.templatePath, ['spec', 'runTemplate', 'template']);
    assert.equal(kind.resource, 'runners');
  });

  test('the flag repeats, one declaration each, and presets mix with declarations', () => {
    const o = parse([
      '--workload-kind=openkruise-cloneset',
      '--workload-kind=example.com/v1/Thing',
      '--workload-kind',
      'argo-rollout-workloadref',
    ]);
    assert.deepEqual(
      o.workloadKinds.map((k) => `${k.group}/${k.version}/${k.kind}`),
      ['apps.kruise.io/v1alpha1/CloneSet', 'example.com/v1/Thing'],
    );
    assert.equal(o.rolloutWorkloadRef, true);
  });

  test('no flag: no declared kinds', () => {
    const o = parse([]);
    assert.deepEqual(o.workloadKinds, []);
    assert.equal(o.rolloutWorkloadRef, false);
  });

  test('each bad declaration is refused, naming it and what is allowed', () => {
    assertEachRejected([
      {
        argv: ['--workload-kind=openkruise-clone'],
        mentions: [
          '--workload-kind',
          '"openkruise-clone"',
          'is not a preset',
          'openkruise-cloneset',
          'GROUP/VERSION/KIND',
        ],
      },
      {
        argv: ['--workload-kind=openkruise-cloneset,resource=x'],
        mentions: ['"openkruise-cloneset,resource=x"', 'presets take no options'],
      },
      { argv: ['--workload-kind=example.com/Thing'], mentions: ['"example.com/Thing"', 'not GROUP/VERSION/KIND'] },
      { argv: ['--workload-kind=example.com/v1/Thing/x'], mentions: ['not GROUP/VERSION/KIND'] },
      { argv: ['--workload-kind=/v1/Thing'], mentions: ['group ""', 'core group'] },
      { argv: ['--workload-kind=Example.com/v1/Thing'], mentions: ['group "Example.com"', 'DNS subdomain'] },
      { argv: ['--workload-kind=example.com/1/Thing'], mentions: ['version "1"', 'v1beta1'] },
      { argv: ['--workload-kind=example.com/v1/thing'], mentions: ['kind "thing"', 'capital letter'] },
      {
        argv: ['--workload-kind=example.com/v1/Thing,replicas=3'],
        mentions: ['option "replicas"', 'resource, template, restart-field'],
      },
      { argv: ['--workload-kind=example.com/v1/Thing,resource=a,resource=b'], mentions: ['gives resource twice'] },
      { argv: ['--workload-kind=example.com/v1/Thing,resource='], mentions: ['gives resource no value'] },
      { argv: ['--workload-kind=example.com/v1/Thing,resource'], mentions: ['gives resource no value'] },
      {
        argv: ['--workload-kind=example.com/v1/Thing,resource=Things'],
        mentions: ['resource "Things"', 'plural resource name'],
      },
      {
        argv: ['--workload-kind=example.com/v1/Thing,template=metadata.template'],
        mentions: ['template "metadata.template"', 'under spec'],
      },
      {
        argv: ['--workload-kind=example.com/v1/Thing,restart-field=spec'],
        mentions: ['restart-field "spec"', 'under spec'],
      },
      {
        argv: ['--workload-kind=example.com/v1/Thing,template=spec..template'],
        mentions: ['field ""', 'not a field name'],
      },
      { argv: ['--workload-kind=example.com/v1/Thing,template=spec.a[0]'], mentions: ['field "a[0]"'] },
      {
        argv: [`--workload-kind=example.com/v1/Thing,template=spec${'.a'.repeat(16)}`],
        mentions: ['more than 16 fields'],
      },
      {
        argv: [`--workload-kind=example.com/v1/Thing,template=spec.${'a'.repeat(600)}`],
        mentions: ['longer than 512 characters'],
      },
      { argv: ['--workload-kind=apps/v1/Deployment'], mentions: ['"apps/v1/Deployment"', 'built in'] },
      {
        argv: ['--workload-kind=argoproj.io/v1alpha1/Rollout,restart-field=spec.restartAt'],
        mentions: ['built in', 'argo-rollout-workloadref'],
      },
      {
        argv: ['--workload-kind=example.com/v1/Thing', '--workload-kind=example.com/v2/Thing,resource=things'],
        mentions: ['declares example.com/Thing again', '"example.com/v1/Thing"'],
      },
      {
        argv: ['--workload-kind=openkruise-cloneset', '--workload-kind=apps.kruise.io/v1alpha1/CloneSet'],
        mentions: ['again', '"openkruise-cloneset"'],
      },
      {
        argv: ['--workload-kind=argo-rollout-workloadref', '--argo-rollouts=false'],
        mentions: ['argo-rollout-workloadref', '--argo-rollouts', 'drop one'],
      },
      {
        argv: ['--workload-kind=argo-rollout-workloadref', '--ignored-workload-types=rollouts'],
        mentions: ['argo-rollout-workloadref', '--ignored-workload-types'],
      },
    ]);
  });

  test('a declared kind is something to roll, even with every built-in type ignored', () => {
    const o = parse([
      '--ignored-workload-types=deployments,statefulsets,daemonsets,cronjobs,jobs,rollouts',
      '--workload-kind=example.com/v1/Thing',
    ]);
    assert.equal(o.workloadKinds.length, 1);
  });

  test('argo-rollout-workloadref follows Rollouts also under --stakater-defaults, which otherwise leaves them out', () => {
    const o = parse(['--stakater-defaults', '--workload-kind=argo-rollout-workloadref']);
    assert.ok(!o.ignoredWorkloadTypes.includes('Rollout'));
    assert.ok(parse(['--stakater-defaults']).ignoredWorkloadTypes.includes('Rollout'));
  });

  test('a declaration of 200,000 characters is refused by its length before anything else is read', () => {
    const long = `example.com/v1/Thing,template=spec.${'a-'.repeat(100_000)}`;
    assertEachRejected([{ argv: [`--workload-kind=${long}`], mentions: ['longer than 512'] }]);
  });
});

describe('presets', () => {
  test('each preset parses by its bare name to its kind', () => {
    for (const preset of KIND_PRESETS) {
      const o = parse([`--workload-kind=${preset.name}`]);
      if (preset.workloadRef === true) {
        assert.deepEqual(o.workloadKinds, [], preset.name);
        assert.equal(o.rolloutWorkloadRef, true);
      } else {
        assert.deepEqual(o.workloadKinds, [{ ...preset.kind, declaration: preset.name }], preset.name);
      }
    }
  });

  test('the presets are the kinds users ask about, with the resource each CRD serves', () => {
    assert.deepEqual(
      Object.fromEntries(
        KIND_PRESETS.map((p) => [
          p.name,
          `${p.kind.group}/${p.kind.version}/${p.kind.kind},resource=${p.kind.resource ?? ''}`,
        ]),
      ),
      {
        'openkruise-cloneset': 'apps.kruise.io/v1alpha1/CloneSet,resource=clonesets',
        'openkruise-advanced-statefulset': 'apps.kruise.io/v1beta1/StatefulSet,resource=statefulsets',
        'openkruise-advanced-daemonset': 'apps.kruise.io/v1alpha1/DaemonSet,resource=daemonsets',
        'knative-service': 'serving.knative.dev/v1/Service,resource=services',
        'argo-rollout-workloadref': 'argoproj.io/v1alpha1/Rollout,resource=rollouts',
      },
    );
    assert.deepEqual(KIND_PRESETS.find((p) => p.name === 'argo-rollout-workloadref')?.kind.restartField, [
      'spec',
      'restartAt',
    ]);
  });

  test('mini-reloader run --help lists every preset', () => {
    const help = formatHelp().replace(/\s+/g, ' ');
    assert.ok(
      help.includes(
        '--workload-kind <GROUP/VERSION/KIND[,resource=PLURAL][,template=PATH][,restart-field=PATH]|preset>',
      ),
    );
    for (const preset of KIND_PRESETS) assert.ok(help.includes(preset.name), preset.name);
  });
});
