import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse, stringify } from 'yaml';
import { receiver } from '../support/http-receivers.ts';
import { clients, eventually, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, createSecret, ENABLED_LABEL } from './support/config.ts';
import { startController } from './support/controller.ts';
import { installCrd, post } from './support/custom-resources.ts';
import { deployment, eventsFor, replicaSetsOf } from './support/workloads.ts';

const cli = path.join(import.meta.dirname, '..', '..', 'src', 'cli.ts');
const WRITER = 'explain-test-writer';
const OLD_VALUE = 'value-before-xyz';
const NEW_VALUE = 'value-after-xyz';

interface Entry {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly follows: boolean;
  readonly rule: string | null;
  readonly reason: string | null;
  readonly visibleKeys: readonly string[];
  readonly wouldRoll?: boolean;
}

function explain(c: Clients, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, 'explain', `--kubeconfig=${c.kubeconfigPath}`, ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The five workloads of the issue, all using ConfigMap `shared`, which carries the enabled label. */
async function sharedConfigFleet(c: Clients, ns: string): Promise<void> {
  await c.core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: 'shared', labels: ENABLED_LABEL }, data: { LOG_LEVEL: OLD_VALUE, FEATURE_X: 'on' } },
  });
  const envFrom = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'shared' } }] }] };
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('labelled', envFrom) });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'auto',
      {
        containers: [{ name: 'app', image: 'x', volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
        volumes: [{ name: 'cfg', configMap: { name: 'shared' } }],
      },
      AUTO,
    ),
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'keyed',
      {
        containers: [
          {
            name: 'app',
            image: 'x',
            env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'shared', key: 'FEATURE_X' } } }],
          },
        ],
      },
      AUTO,
    ),
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('excluded', envFrom, { 'configmaps.exclude.reloader.stakater.com/reload': 'shared' }),
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('optedout', envFrom, { 'reloader.stakater.com/auto': 'false' }),
  });
}

/** Writes keys of ConfigMap `shared` as field manager WRITER. */
async function writeShared(c: Clients, ns: string, data: Record<string, string>): Promise<void> {
  const current = await c.core.readNamespacedConfigMap({ name: 'shared', namespace: ns });
  current.data = { ...current.data, ...data };
  await c.core.replaceNamespacedConfigMap({ name: 'shared', namespace: ns, fieldManager: WRITER, body: current });
}

test('explain configmap answers for a labelled, an auto, a key-level, an excluded and an opted-out workload, and the controller then does what it said', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await sharedConfigFleet(c, ns);
  const controller = await startController(t, ns);
  for (const name of ['labelled', 'auto', 'keyed']) await controller.decided(`Deployment/${ns}/${name}`, 'adopted');

  const json = explain(c, 'configmap/shared', '-n', ns, '--key', 'LOG_LEVEL', '-o', 'json');
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { config: { keys: string[] }; workloads: Entry[] };
  assert.deepEqual(report.config.keys, ['FEATURE_X', 'LOG_LEVEL']);
  assert.doesNotMatch(json.stdout, new RegExp(OLD_VALUE), 'key names only, never values');
  const byName = new Map(report.workloads.map((w) => [w.name, w]));
  assert.deepEqual([...byName.keys()].sort(), ['auto', 'excluded', 'keyed', 'labelled', 'optedout']);
  const pick = (name: string) => {
    const w = byName.get(name);
    assert.ok(w !== undefined, name);
    return { follows: w.follows, rule: w.rule, visibleKeys: w.visibleKeys, wouldRoll: w.wouldRoll };
  };
  assert.deepEqual(pick('labelled'), { follows: true, rule: 'enabled-label', visibleKeys: ['*'], wouldRoll: true });
  assert.deepEqual(pick('auto'), { follows: true, rule: 'auto', visibleKeys: ['*'], wouldRoll: true });
  assert.deepEqual(pick('keyed'), { follows: true, rule: 'auto', visibleKeys: ['FEATURE_X'], wouldRoll: false });
  assert.deepEqual(pick('excluded'), { follows: false, rule: null, visibleKeys: ['*'], wouldRoll: false });
  assert.deepEqual(pick('optedout'), { follows: false, rule: null, visibleKeys: ['*'], wouldRoll: false });
  assert.match(byName.get('excluded')?.reason ?? '', /configmaps\.exclude\.reloader\.stakater\.com\/reload/);
  assert.match(byName.get('optedout')?.reason ?? '', /reloader\.stakater\.com\/auto is "false"/);
  for (const w of report.workloads)
    assert.equal(w.reason === null, w.follows, `${w.name}: a reason exactly when it does not follow`);

  const table = explain(c, 'cm/shared', `--namespace=${ns}`, '--key=LOG_LEVEL');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`^ConfigMap ${ns}/shared: keys FEATURE_X, LOG_LEVEL$`, 'm'));
  assert.match(table.stdout, /^WORKLOAD +FOLLOWS +RULE +VISIBLE KEYS +ROLLS ON LOG_LEVEL +STATUS \/ WHY NOT$/m);
  assert.match(table.stdout, /^Deployment\/keyed +yes +auto +FEATURE_X +no +up to date/m);
  assert.match(table.stdout, /^Deployment\/optedout +no +- +\* +no +reloader\.stakater\.com\/auto is "false"/m);

  const mark = controller.mark();
  await writeShared(c, ns, { LOG_LEVEL: NEW_VALUE });
  for (const w of report.workloads) {
    const key = `Deployment/${ns}/${w.name}`;
    if (w.wouldRoll === true) await controller.decided(key, 'rolled', mark);
    else
      await controller.waitFor(
        `a decision for ${key}`,
        (l) => l.workload === key && l.msg.startsWith('not rolled'),
        mark,
      );
  }
  for (const w of report.workloads) {
    const rolled = (await replicaSetsOf(c, ns, w.name)).length > 1;
    assert.equal(rolled, w.wouldRoll, `${w.name}: explain said wouldRoll ${String(w.wouldRoll)}`);
  }

  const events = await eventually('the Reloaded Event of labelled', async () => {
    const e = await eventsFor(c, ns, 'labelled', 'Reloaded');
    return e.length > 0 ? e : undefined;
  });
  assert.match(events[0] ?? '', /ConfigMap\/shared: key LOG_LEVEL changed/);
  assert.match(events[0] ?? '', new RegExp(WRITER));
  assert.doesNotMatch(events.join('\n'), /value-(before|after)-xyz/);
});

test('explain deployment names every config it references and how it follows it; flags as run takes them or from the controller’s Deployment; a missing object exits 2 by name', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await sharedConfigFleet(c, ns);
  await c.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'creds' }, stringData: { password: 'hunter2-secret' } },
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        initContainers: [
          {
            name: 'init',
            image: 'x',
            env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }],
          },
        ],
        containers: [
          {
            name: 'app',
            image: 'x',
            envFrom: [{ configMapRef: { name: 'shared' } }, { configMapRef: { name: 'absent', optional: true } }],
          },
        ],
      },
      { 'secret.reloader.stakater.com/auto': 'true' },
    ),
  });
  const result = explain(c, 'deployment/web', '-n', ns, '-o', 'json');
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /hunter2/);
  const [web] = (JSON.parse(result.stdout) as { workloads: (Entry & { configs: (Entry & { state: string })[] })[] })
    .workloads;
  assert.ok(web !== undefined);
  assert.equal(web.follows, true);
  assert.equal(web.rule, 'typed-auto,enabled-label');
  const configs = new Map(web.configs.map((cfg) => [`${cfg.kind}/${cfg.name}`, cfg]));
  assert.deepEqual(
    [configs.get('Secret/creds')?.rule, configs.get('Secret/creds')?.visibleKeys],
    ['typed-auto', ['password']],
  );
  assert.deepEqual(
    [configs.get('ConfigMap/shared')?.rule, configs.get('ConfigMap/shared')?.state],
    ['enabled-label', 'present'],
  );
  assert.deepEqual(
    [configs.get('ConfigMap/absent')?.follows, configs.get('ConfigMap/absent')?.state],
    [false, 'missing, optional'],
  );

  const missing = explain(c, 'deployment/nope', '-n', ns);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, new RegExp(`deployment ${ns}/nope not found`));
  const missingConfig = explain(c, 'secret/nope', '-n', ns);
  assert.equal(missingConfig.status, 2);
  assert.match(missingConfig.stderr, new RegExp(`secret ${ns}/nope not found`));
  const badFlag = explain(c, 'deployment/web', '-n', ns, '--auto-reload-al');
  assert.equal(badFlag.status, 2);
  assert.match(badFlag.stderr, /--auto-reload-al/);

  const allFlag = explain(c, 'deployment/excluded', '-n', ns, '--auto-reload-all', '-o', 'json');
  assert.equal(
    (JSON.parse(allFlag.stdout) as { workloads: Entry[] }).workloads[0]?.follows,
    false,
    'its exclude list still wins over --auto-reload-all',
  );

  await c.core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: 'unlabelled' }, data: { A: '1' } },
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('plain', {
      containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'unlabelled' } }] }],
    }),
  });
  const controllerDeployment = deployment('mini-reloader', {
    containers: [
      {
        name: 'mini-reloader',
        image: 'x',
        args: ['run', '--auto-reload-all', '--workers=2'],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      },
    ],
  });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: controllerDeployment });
  const rule = (...args: string[]) =>
    (JSON.parse(explain(c, 'deployment/plain', '-n', ns, '-o', 'json', ...args).stdout) as { workloads: Entry[] })
      .workloads[0]?.rule;
  assert.equal(rule(), null, 'not opted in with the defaults');
  assert.equal(rule('--from-deployment', `${ns}/mini-reloader`), 'auto-reload-all', "the controller's own flags");
  const noController = explain(c, 'deployment/plain', '-n', ns, '--from-deployment', `${ns}/nope`);
  assert.equal(noController.status, 2);
  assert.match(noController.stderr, new RegExp(`--from-deployment: deployment ${ns}/nope not found`));
});

interface Use {
  readonly container: string | null;
  readonly init: boolean;
  readonly via: string;
  readonly volume?: string;
  readonly key?: string;
  readonly items?: readonly string[];
  readonly optional: boolean;
}

type Explained = Entry & {
  decision: string;
  recordWrittenAt: string | null;
  configs: (Entry & { state: string; change: string | null; uses: Use[]; note: string | null })[];
};

function workloadJson(c: Clients, ...args: string[]): Explained {
  const result = explain(c, ...args, '-o', 'json');
  assert.equal(result.status, 0, result.stderr);
  const [entry] = (JSON.parse(result.stdout) as { workloads: Explained[] }).workloads;
  assert.ok(entry !== undefined);
  return entry;
}

test('explain deployment says how each config is used: volume, projected item, envFrom, valueFrom key, init container; a config recreated since the record is noted', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app', { A: '1', B: '1' });
  await createSecret(c, ns, 'db', { P: 'hunter2-secret' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'uses',
      {
        initContainers: [
          { name: 'migrate', image: 'x', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'P' } } }] },
        ],
        containers: [
          {
            name: 'app',
            image: 'x',
            envFrom: [{ configMapRef: { name: 'app' } }],
            env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app', key: 'A' } } }],
            volumeMounts: [
              { name: 'cfg', mountPath: '/cfg' },
              { name: 'bundle', mountPath: '/bundle' },
            ],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'app' } },
          {
            name: 'bundle',
            projected: { sources: [{ configMap: { name: 'app', items: [{ key: 'B', path: 'b' }] } }] },
          },
          { name: 'spare', secret: { secretName: 'db', optional: true } },
        ],
      },
      AUTO,
    ),
  });
  const web = workloadJson(c, 'deployment/uses', '-n', ns);
  assert.doesNotMatch(JSON.stringify(web), /hunter2/);
  assert.equal(web.recordWrittenAt, null, 'not adopted yet');
  const uses = new Map(web.configs.map((cfg) => [`${cfg.kind}/${cfg.name}`, cfg.uses]));
  assert.deepEqual(uses.get('ConfigMap/app'), [
    { container: 'app', init: false, via: 'envFrom', optional: false },
    { container: 'app', init: false, via: 'env', key: 'A', optional: false },
    { container: 'app', init: false, via: 'volume', volume: 'cfg', optional: false },
    { container: 'app', init: false, via: 'projected', volume: 'bundle', items: ['B'], optional: false },
  ]);
  assert.deepEqual(uses.get('Secret/db'), [
    { container: 'migrate', init: true, via: 'env', key: 'P', optional: false },
    { container: null, init: false, via: 'volume', volume: 'spare', optional: true },
  ]);
  const table = explain(c, 'deployment/uses', '-n', ns);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^CONFIG +STATE +FOLLOWS +RULE +VISIBLE KEYS +RECORD +USES +WHY NOT$/m);
  assert.match(
    table.stdout,
    /^ConfigMap\/app +present +yes +auto +\* +unchanged +envFrom in app; env key A in app; volume cfg in app; projected bundle \(items B\) in app$/m,
  );
  assert.match(
    table.stdout,
    /^Secret\/db +present +yes +auto +\* +unchanged +env key P in init container migrate; volume spare \(optional\) in no named container$/m,
  );

  // Adopted by a controller that then stops; the ConfigMap is deleted and created again with the same data.
  const key = `Deployment/${ns}/uses`;
  const first = await startController(t, ns);
  await first.decided(key, 'adopted');
  await first.stop();
  await c.core.deleteNamespacedConfigMap({ name: 'app', namespace: ns });
  // creationTimestamp has whole seconds: the new one must be later than the record's write.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await createConfigMap(c, ns, 'app', { A: '1', B: '1' });
  const recreated = workloadJson(c, 'deployment/uses', '-n', ns);
  const app = recreated.configs.find((cfg) => cfg.name === 'app');
  assert.deepEqual([recreated.decision, app?.change], ['roll', 'changed']);
  assert.match(recreated.recordWrittenAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'the adoption wrote the record');
  assert.match(app?.note ?? '', /ConfigMap\/app was created again .* after the record was written/);
  assert.equal(recreated.configs.find((cfg) => cfg.name === 'db')?.note, null);
  assert.match(explain(c, 'deployment/uses', '-n', ns).stdout, /^note: ConfigMap\/app was created again/m);
  // A controller that did not see the deletion rolls it, as explain answered.
  const second = await startController(t, ns);
  await second.decided(key, 'rolled');
});

test('explain knows the kinds declared with --workload-kind, taken as run takes the flag or from the controller’s Deployment', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const g = `explain-${Math.random().toString(36).slice(2, 7)}.example.com`;
  await installCrd(t, c, { group: g, version: 'v1alpha1', kind: 'CloneSet', plural: 'clonesets' });
  await createConfigMap(c, ns, 'settings', { A: '1', B: '1' });
  await post(c, `/apis/${g}/v1alpha1/namespaces/${ns}/clonesets`, {
    apiVersion: `${g}/v1alpha1`,
    kind: 'CloneSet',
    metadata: { name: 'web', annotations: AUTO },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'x',
              env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'A' } } }],
            },
          ],
        },
      },
    },
  });
  const flag = `--workload-kind=${g}/v1alpha1/CloneSet`;
  const unknown = explain(c, 'cloneset/web', '-n', ns);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /"cloneset" is not a type explain knows/);

  for (const type of ['cloneset', 'clonesets', `clonesets.${g}`, `CloneSet.${g}`]) {
    const web = workloadJson(c, `${type}/web`, '-n', ns, flag, '--key', 'A');
    assert.deepEqual(
      [web.kind, web.follows, web.rule, web.visibleKeys, web.wouldRoll],
      [`CloneSet.${g}`, true, 'auto', ['A'], true],
      type,
    );
    assert.deepEqual(web.configs[0]?.uses, [{ container: 'app', init: false, via: 'env', key: 'A', optional: false }]);
  }
  const unserved = explain(c, 'thing/web', '-n', ns, `--workload-kind=absent-${g}/v1/Thing,resource=things`);
  assert.equal(unserved.status, 2);
  assert.match(
    unserved.stderr,
    new RegExp(
      `thing: declared workload kind Thing\\.absent-${g.replaceAll('.', '\\.')} .* is not followed: .*not served`,
    ),
  );
  const missing = explain(c, 'cloneset/nope', '-n', ns, flag);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, new RegExp(`cloneset ${ns}/nope not found`));

  const config = explain(c, 'configmap/settings', '-n', ns, flag, '--key', 'B', '-o', 'json');
  assert.equal(config.status, 0, config.stderr);
  const [entry] = (JSON.parse(config.stdout) as { workloads: Entry[] }).workloads;
  assert.deepEqual([entry?.kind, entry?.name, entry?.wouldRoll], [`CloneSet.${g}`, 'web', false]);

  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('mini-reloader', {
      containers: [{ name: 'mini-reloader', image: 'x', args: ['run', flag] }],
    }),
  });
  const fromDeployment = workloadJson(c, 'cloneset/web', '-n', ns, '--from-deployment', `${ns}/mini-reloader`);
  assert.equal(fromDeployment.kind, `CloneSet.${g}`);
});

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'explain-test-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A directory holding `kubectl-reloader`, as the package installs it, running this checkout's CLI. */
function pluginDir(t: TestContext): string {
  const dir = tempDir(t);
  const plugin = path.join(dir, 'kubectl-reloader');
  writeFileSync(plugin, `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  chmodSync(plugin, 0o755);
  return dir;
}

function clusterKubectl(): string {
  const root = path.join(process.env.MINI_RELOADER_CACHE ?? path.join(os.homedir(), '.cache', 'mini-reloader'), 'kube');
  const versions = readdirSync(root, { withFileTypes: true })
    .filter((v) => v.isDirectory() && readdirSync(path.join(root, v.name)).includes('bin'))
    .map((v) => v.name);
  const first = versions[0];
  assert.ok(first !== undefined, `no control plane under ${root}`);
  return path.join(root, first, 'bin', 'kubectl');
}

test("kubectl reloader explain runs as a kubectl plugin, with kubectl's --kubeconfig, --context and the context's namespace", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await sharedConfigFleet(c, ns);
  const original = parse(readFileSync(c.kubeconfigPath, 'utf8')) as {
    contexts: { name: string; context: Record<string, unknown> }[];
    'current-context': string;
  };
  const current = original.contexts.find((x) => x.name === original['current-context']);
  assert.ok(current !== undefined);
  const kubeconfig = path.join(tempDir(t), 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      ...original,
      contexts: [...original.contexts, { name: 'team', context: { ...current.context, namespace: ns } }],
    }),
    { mode: 0o600 },
  );

  const dir = pluginDir(t);
  const env = { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}` };
  const run = (...args: string[]) =>
    spawnSync(clusterKubectl(), ['reloader', 'explain', ...args], { encoding: 'utf8', env });
  const viaContext = run('deployment/keyed', '--kubeconfig', kubeconfig, '--context', 'team');
  assert.equal(viaContext.status, 0, viaContext.stderr);
  assert.match(viaContext.stdout, new RegExp(`^Deployment ${ns}/keyed: `, 'm'), "the context's namespace, without -n");
  assert.match(viaContext.stdout, /^ConfigMap\/shared +present +yes +auto +FEATURE_X/m);
  const viaN = run('configmap/shared', '--kubeconfig', c.kubeconfigPath, '-n', ns, '-o', 'json');
  assert.equal(viaN.status, 0, viaN.stderr);
  assert.equal((JSON.parse(viaN.stdout) as { workloads: Entry[] }).workloads.length, 5);
});

test('the webhook body and the alert name the changed keys and the field manager, never a value', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await sharedConfigFleet(c, ns);
  const alerts = await receiver();
  t.after(() => alerts.close());
  const alerting = await startController(t, ns, ['--alert-on-reload', `--alert-webhook-url=${alerts.url}/alert`]);
  await alerting.decided(`Deployment/${ns}/labelled`, 'adopted');
  let mark = alerting.mark();
  await writeShared(c, ns, { LOG_LEVEL: NEW_VALUE });
  await alerting.decided(`Deployment/${ns}/labelled`, 'rolled', mark);
  const alert = await eventually('an alert', () =>
    Promise.resolve(alerts.received.find((r) => r.body.includes('labelled'))),
  );
  assert.match(alert.body, /shared of type ConfigMap \(key LOG_LEVEL changed, by explain-test-writer\)/);
  await alerting.stop();

  const hooks = await receiver();
  t.after(() => hooks.close());
  const notifying = await startController(t, ns, [`--webhook-url=${hooks.url}/hook`]);
  mark = notifying.mark();
  await writeShared(c, ns, { FEATURE_X: 'off', LOG_LEVEL: OLD_VALUE });
  await notifying.decided(`Deployment/${ns}/keyed`, 'told the webhook', mark);
  const hook = await eventually('a webhook body for keyed', () =>
    Promise.resolve(hooks.received.find((r) => r.body.includes('"keyed"'))),
  );
  const body = JSON.parse(hook.body) as {
    changed: { kind: string; name: string; keys?: { changed: string[] }; manager?: string }[];
  };
  assert.deepEqual(
    body.changed.map((x) => [x.kind, x.name, x.keys?.changed, x.manager]),
    [['ConfigMap', 'shared', ['FEATURE_X'], WRITER]],
    'only the keys it sees',
  );
  for (const received of [...alerts.received, ...hooks.received])
    assert.doesNotMatch(received.body, /value-(before|after)-xyz|"off"/);
});
