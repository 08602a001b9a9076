import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { clients, eventually, type Clients } from './support/cluster.ts';
import { AUTO, updateConfigMap } from './support/config.ts';
import type { ControllerProcess } from './support/controller.ts';
import { imageConfig, localImage, PODMAN_RUNTIME, readableKubeconfig, startContainer } from './support/image.ts';
import { deployment } from './support/workloads.ts';

const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, '..', '..');

/** The medium scale of issue 10: 2,500 ConfigMaps + 2,500 Secrets of 8 KiB, 600 Deployments, 20 namespaces. */
const MEDIUM = { namespaces: 20, configMaps: 2_500, secrets: 2_500, valueBytes: 8 * 1024, deployments: 600 } as const;
const PARALLEL_REQUESTS = 32;

/**
 * Full (mark-compact) GCs allowed in a quiet minute after the first pass. A
 * heap that fits does none or a few (the memory reducer's); a heap squeezed
 * against its limit runs them back to back, thousands a minute. Counts, not
 * CPU time, so a loaded machine does not change the verdict.
 */
const QUIET_MINUTE_FULL_GCS = 10;
/** Full GCs allowed from start through the initial sync, the first pass and one reload. */
const RUN_FULL_GCS = 100;

const MIB = 1024 * 1024;
const QUANTITY_UNITS: Readonly<Record<string, number>> = { '': 1, Ki: 1024, Mi: MIB, Gi: 1024 * MIB };

/** A Kubernetes memory quantity in bytes (the binary units the manifests use). */
function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  assert.ok(match, `a memory quantity in bytes, Ki, Mi or Gi: ${quantity}`);
  return Number(match[1]) * (QUANTITY_UNITS[match[2] ?? ''] ?? Number.NaN);
}

/** limits.memory as the kustomize base and the Helm chart's default values ship it (they must agree). */
async function shippedMemoryLimit(): Promise<number> {
  interface Resources {
    limits?: { memory?: string };
  }
  const base = YAML.parse(
    await readFile(path.join(ROOT, 'deploy', 'kustomize', 'base', 'deployment.yaml'), 'utf8'),
  ) as { spec: { template: { spec: { containers: { resources?: Resources }[] } } } };
  const values = YAML.parse(
    await readFile(path.join(ROOT, 'deploy', 'helm', 'mini-reloader', 'values.yaml'), 'utf8'),
  ) as { resources?: Resources };
  const shipped = base.spec.template.spec.containers[0]?.resources?.limits?.memory;
  assert.ok(shipped !== undefined, 'the kustomize base sets limits.memory');
  assert.equal(
    values.resources?.limits?.memory,
    shipped,
    'the Helm chart ships the same memory limit as the kustomize base',
  );
  return quantityBytes(shipped);
}

/** podman flags for a cgroup memory limit without swap, as the kubelet sets one. */
function memoryLimitFlags(bytes: number): string[] {
  return [`--memory=${bytes}b`, `--memory-swap=${bytes}b`];
}

interface ContainerUsage {
  /** The memory limit of the container's cgroup. */
  readonly limitBytes: number;
  readonly oomKills: number;
  /** CPU time of everything in the container. */
  readonly cpuSeconds: number;
  /** VmRSS and VmHWM of its main process (the controller). */
  readonly rssBytes: number;
  readonly peakRssBytes: number;
}

/** Read on the host (cgroup v1 or v2), so that measuring adds nothing to the container's own memory. */
async function containerUsage(name: string): Promise<ContainerUsage> {
  const pid = (await run('podman', ['inspect', name, '--format', '{{.State.Pid}}'])).stdout.trim();
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    1024 * Number(new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN);
  const memberships = (await readFile(`/proc/${pid}/cgroup`, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => line.split(':'));
  const v1 = (controller: string): string | undefined => {
    const entry = memberships.find(([, controllers]) => controllers?.split(',').includes(controller));
    return entry === undefined ? undefined : path.join('/sys/fs/cgroup', entry[1] ?? '', entry[2] ?? '');
  };
  const read = async (file: string): Promise<string> => (await readFile(file, 'utf8')).trim();
  const field = (text: string, key: string): number =>
    Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const memory = v1('memory');
  const cpu = v1('cpuacct');
  if (memory !== undefined && cpu !== undefined) {
    return {
      limitBytes: Number(await read(path.join(memory, 'memory.limit_in_bytes'))),
      oomKills: field(await read(path.join(memory, 'memory.oom_control')), 'oom_kill'),
      cpuSeconds: Number(await read(path.join(cpu, 'cpuacct.usage'))) / 1e9,
      rssBytes: kib('VmRSS'),
      peakRssBytes: kib('VmHWM'),
    };
  }
  const unified = path.join('/sys/fs/cgroup', memberships.find(([id]) => id === '0')?.[2] ?? '');
  return {
    limitBytes: Number(await read(path.join(unified, 'memory.max'))),
    oomKills: field(await read(path.join(unified, 'memory.events')), 'oom_kill'),
    cpuSeconds: field(await read(path.join(unified, 'cpu.stat')), 'usage_usec') / 1e6,
    rssBytes: kib('VmRSS'),
    peakRssBytes: kib('VmHWM'),
  };
}

async function inParallel(tasks: readonly (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) await tasks[next++]?.();
    }),
  );
}

/**
 * The medium-scale objects in namespaces labelled `selector`, deleted when the
 * test ends. Deployment app-N in each namespace uses cm-N and secret-N and
 * runs no pods: the controller's work is the same, the fake nodes stay idle.
 */
async function seedMediumScale(
  t: TestContext,
  c: Clients,
  selector: { key: string; value: string },
): Promise<string[]> {
  const namespaces = Array.from(
    { length: MEDIUM.namespaces },
    (_, i) => `t-memory-limit-${selector.value.slice(0, 8)}-${i}`,
  );
  t.after(() => Promise.all(namespaces.map((name) => c.core.deleteNamespace({ name }).catch(() => undefined))));
  await Promise.all(
    namespaces.map((name) =>
      c.core.createNamespace({ body: { metadata: { name, labels: { [selector.key]: selector.value } } } }),
    ),
  );
  const at = (i: number): { namespace: string; index: number } => ({
    namespace: namespaces[i % MEDIUM.namespaces] ?? '',
    index: Math.floor(i / MEDIUM.namespaces),
  });
  // Distinct values, so that nothing along the way can share them.
  const value = (): string => randomBytes((MEDIUM.valueBytes * 3) / 4).toString('base64');
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < MEDIUM.configMaps; i++) {
    const { namespace, index } = at(i);
    tasks.push(() =>
      c.core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: `cm-${index}` }, data: { 'settings.json': value() } },
      }),
    );
  }
  for (let i = 0; i < MEDIUM.secrets; i++) {
    const { namespace, index } = at(i);
    tasks.push(() =>
      c.core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: `secret-${index}` }, stringData: { 'credentials.json': value() } },
      }),
    );
  }
  for (let i = 0; i < MEDIUM.deployments; i++) {
    const { namespace, index } = at(i);
    const body = deployment(
      `app-${index}`,
      {
        containers: [
          {
            name: 'app',
            image: 'x',
            envFrom: [{ configMapRef: { name: `cm-${index}` } }, { secretRef: { name: `secret-${index}` } }],
          },
        ],
      },
      AUTO,
    );
    if (body.spec !== undefined) body.spec.replicas = 0;
    tasks.push(() => c.apps.createNamespacedDeployment({ namespace, body }));
  }
  await inParallel(tasks, PARALLEL_REQUESTS);
  return namespaces;
}

/** --trace-gc lines the controller printed after log line `from`, by kind of collection. */
function collections(controller: ControllerProcess, from = 0): { full: number; young: number } {
  let full = 0;
  let young = 0;
  for (const line of controller.lines.slice(from)) {
    const kind = / \d+ ms: (Mark-Compact|Scavenge|Minor Mark-Sweep)\b/.exec(line.msg)?.[1];
    if (kind === 'Mark-Compact') full++;
    else if (kind !== undefined) young++;
  }
  return { full, young };
}

const mib = (bytes: number): string => `${(bytes / MIB).toFixed(0)} MiB`;

test('the shipped memory limit is enforced on this machine: a container that allocates past it is killed', async (t) => {
  const limit = await shippedMemoryLimit();
  // conmon leaves an empty `oom` file in its working directory when the container is OOM-killed: keep it out of the repository.
  const cwd = await mkdtemp(path.join(tmpdir(), 'memory-limit-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const image = await localImage();
  const [node = ''] = (await imageConfig(image)).Entrypoint;
  const chunk = 16 * MIB;
  // Twice the limit, outside the V8 heap, then a clean exit: only an enforced limit stops it.
  const allocate = `const kept = []; for (let i = 0; i < ${Math.ceil((2 * limit) / chunk)}; i++) kept.push(Buffer.alloc(${chunk}, 1));`;
  const result = await run(
    'podman',
    ['run', '--rm', ...PODMAN_RUNTIME, ...memoryLimitFlags(limit), '--entrypoint', node, image, '-e', allocate],
    { cwd },
  ).then(
    () => 0,
    (err: unknown) => (err as { code?: unknown }).code,
  );
  assert.equal(result, 137, 'killed (SIGKILL) by the cgroup memory limit');
});

test('at medium scale, the image under the shipped memory limit syncs, adopts and reloads without being OOM-killed or collecting garbage back to back', async (t) => {
  const limit = await shippedMemoryLimit();
  const image = await localImage();
  const c = clients();
  const selector = { key: 'mini-reloader-test/memory-limit', value: randomUUID() };
  const namespaces = await seedMediumScale(t, c, selector);
  const kubeconfig = await readableKubeconfig(t);

  // --trace-gc goes on the image's own node command line; its heap settings stay as shipped.
  const [node = '', ...entrypoint] = (await imageConfig(image)).Entrypoint;
  const name = `mini-reloader-memory-limit-${selector.value.slice(0, 8)}`;
  const started = Date.now();
  const controller = startContainer(
    t,
    name,
    image,
    [
      ...memoryLimitFlags(limit),
      '-v',
      `${kubeconfig}:${kubeconfig}:ro`,
      '--entrypoint',
      JSON.stringify([node, '--trace-gc', ...entrypoint]),
    ],
    [
      `--kubeconfig=${kubeconfig}`,
      `--namespace-selector=${selector.key}=${selector.value}`,
      '--metrics-address=127.0.0.1:0',
    ],
  );
  await controller.waitFor('caches synced', (l) => l.msg.startsWith('caches synced'), 0, 300_000);
  const syncedAfter = Date.now() - started;
  const ours = new Set(namespaces);
  await eventually(
    'every Deployment adopted',
    () => {
      const adopted = new Set(
        controller.lines
          .filter((l) => l.msg.startsWith('adopted') && ours.has(String(l.workload).split('/')[1] ?? ''))
          .map((l) => l.workload),
      );
      return Promise.resolve(adopted.size >= MEDIUM.deployments ? true : undefined);
    },
    600_000,
  );

  const quietFrom = controller.mark();
  const beforeQuiet = await containerUsage(name);
  await sleep(60_000);
  const afterQuiet = await containerUsage(name);
  const quiet = collections(controller, quietFrom);

  const [first = ''] = namespaces;
  const mark = controller.mark();
  await updateConfigMap(c, first, 'cm-0', { 'settings.json': 'changed' });
  await controller.decided(`Deployment/${first}/app-0`, 'rolled', mark);
  const end = await containerUsage(name);
  const all = collections(controller);

  t.diagnostic(
    `limit ${mib(limit)}; synced after ${(syncedAfter / 1000).toFixed(1)} s; RSS after the quiet minute ${mib(afterQuiet.rssBytes)}, after the reload ${mib(end.rssBytes)}, peak ${mib(end.peakRssBytes)}`,
  );
  t.diagnostic(
    `GCs over the run: ${all.full} full, ${all.young} young; in the quiet minute: ${quiet.full} full, ${quiet.young} young, ${(afterQuiet.cpuSeconds - beforeQuiet.cpuSeconds).toFixed(2)} CPU s`,
  );
  assert.equal(end.limitBytes, limit, 'the container ran under the shipped limit');
  assert.equal(end.oomKills, 0, 'nothing in the container was OOM-killed');
  assert.ok(all.young + all.full > 0, 'the --trace-gc lines were read');
  assert.ok(
    quiet.full <= QUIET_MINUTE_FULL_GCS,
    `at most ${QUIET_MINUTE_FULL_GCS} full GCs in a quiet minute, saw ${quiet.full}`,
  );
  assert.ok(all.full <= RUN_FULL_GCS, `at most ${RUN_FULL_GCS} full GCs through sync and reload, saw ${all.full}`);
  assert.equal(await controller.stop(), 0, 'the controller stops cleanly');
});
