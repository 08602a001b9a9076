import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse, parseDocument } from 'yaml';
import { migrateValuesCommand } from '../../../src/migrate/migrate-values.ts';
import { STAKATER_KEYS } from '../../../src/migrate/stakater-keys.ts';
import { migrateStakaterValues } from '../../../src/migrate/stakater-values.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'helm', 'stakater-values');
const fixturePath = (name: string): string => path.join(FIXTURES, name);
const fixture = (name: string): Record<string, unknown> =>
  parse(readFileSync(fixturePath(name), 'utf8')) as Record<string, unknown>;

async function command(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await migrateValuesCommand(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

/** A values file holding `text`, removed when the test ends. */
function tempFile(t: TestContext, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'migrate-values-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'values.yaml');
  writeFileSync(file, text);
  return file;
}

test("Stakater's defaults with Stakater's image: the image is left out, and stakaterDefaults is set", () => {
  const input = {
    ...fixture('stakater-defaults.yaml'),
    image: { repository: 'ghcr.io/stakater/reloader', tag: 'v1.4.21', pullPolicy: 'IfNotPresent' },
  };
  const migration = migrateStakaterValues(input);
  assert.deepEqual(migration.refused, []);
  assert.deepEqual(migration.values, {
    nameOverride: '',
    fullnameOverride: '',
    image: { pullPolicy: 'IfNotPresent' },
    config: { stakaterDefaults: true },
    ha: { podDisruptionBudget: { enabled: false } },
    revisionHistoryLimit: 2,
  });
  assert.match(migration.comments.get('image')?.join() ?? '', /ghcr\.io\/stakater\/reloader is not mini-reloader/);
});

test('every key of the input is accounted for: a comment on what it became, a refusal, or a reason it was left out', () => {
  for (const name of [
    'stakater-defaults.yaml',
    'scoped-everything.yaml',
    'cluster-wide.yaml',
    'single-namespace.yaml',
  ]) {
    const migration = migrateStakaterValues(fixture(name));
    const said = [...[...migration.comments.values()].flat(), ...migration.refused, ...migration.leftOut].join('\n');
    for (const key of STAKATER_KEYS) {
      const given = key
        .split('.')
        .reduce<unknown>(
          (node, k) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[k] : undefined),
          fixture(name),
        );
      const kept = key
        .split('.')
        .reduce<unknown>(
          (node, k) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[k] : undefined),
          migration.values,
        );
      if (given !== undefined && kept !== given) assert.ok(said.includes(key), `${name}: ${key} is mentioned`);
    }
  }
});

test('the printed file parses back to the migrated values, and every comment sits on a value it explains', async () => {
  const { code, out } = await command(fixturePath('scoped-everything.yaml'));
  assert.equal(code, 0);
  const doc = parseDocument(out, { version: '1.1' });
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(doc.toJS(), migrateStakaterValues(fixture('scoped-everything.yaml')).values);
  assert.match(
    out,
    /^# from reloader\.watchGlobally false and reloader\.namespaces, .*\nwatchNamespaces:\n {2}- mini-reloader\n {2}- team-a\n {2}- team-b$/m,
  );
  assert.match(
    out,
    /^ {2}# from reloader\.custom_annotations\.pauseTime\n {2}pauseDeploymentTimeAnnotation: corp\.example\/paused-at$/m,
  );
  assert.match(out, /audit: "yes"/, 'strings YAML 1.1 would read as booleans are quoted, as Helm reads YAML 1.1');
  assert.match(out, /^# Scale Stakater Reloader to 0 before installing this/m);
});

test('--namespace and --release-name are where the watch list and the HA anti-affinity name the release', async (t) => {
  const file = tempFile(t, 'reloader:\n  watchGlobally: false\n  namespaces: [apps]\n  enableHA: true\n');
  const { code, out } = await command('--namespace=tools', '--release-name=reloader', file);
  assert.equal(code, 0);
  const values = parse(out) as {
    watchNamespaces: string[];
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: {
          podAffinityTerm: { labelSelector: { matchExpressions: { values: string[] }[] } };
        }[];
      };
    };
  };
  assert.deepEqual(values.watchNamespaces, ['apps', 'tools']);
  assert.deepEqual(
    values.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]?.podAffinityTerm.labelSelector
      .matchExpressions[0]?.values,
    ['reloader'],
  );
});

test('a key that cannot be honoured: the file is still printed, the key is listed at its top and on stderr, and the exit status is 1', async (t) => {
  const file = tempFile(t, 'reloader:\n  isOpenshift: true\n  autoReloadAll: true\n  notAKey: 1\n');
  const { code, out, err } = await command(file);
  assert.equal(code, 1);
  assert.match(out, /^# NOT MIGRATED/m);
  assert.match(out, /^# {3}reloader\.isOpenshift: mini-reloader does not roll OpenShift DeploymentConfigs/m);
  assert.match(out, /^# {3}reloader\.notAKey: no key of Stakater Reloader's chart/m);
  assert.match(out, /autoReloadAll: true/);
  assert.match(err, /not migrated: reloader\.isOpenshift/);
  assert.match(err, /not migrated: reloader\.notAKey/);
});

test('no file, a missing file, invalid YAML or a file that is no map: exit status 2 and a message', async (t) => {
  assert.equal((await command()).code, 2);
  const missing = await command('/nonexistent/values.yaml');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read \/nonexistent\/values\.yaml/);
  const invalid = await command(tempFile(t, 'reloader: [unclosed\n'));
  assert.equal(invalid.code, 2);
  assert.match(invalid.err, /not valid YAML/);
  const list = await command(tempFile(t, '- a\n- b\n'));
  assert.equal(list.code, 2);
  assert.match(list.err, /not a YAML map/);
  assert.equal((await command('--frobnicate', 'x.yaml')).code, 2);
});

test('mini-reloader migrate-values <file> runs from the CLI', () => {
  const cli = path.join(import.meta.dirname, '..', '..', '..', 'src', 'cli.ts');
  const result = spawnSync(process.execPath, [cli, 'migrate-values', fixturePath('cluster-wide.yaml')], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /namespaceSelector: env=prod/);
  assert.match(result.stdout, /stakaterDefaults: true/);
});
