import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { clients, testCluster, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { ControllerProcess } from './support/controller.ts';
import { deployment, replicaSetsOf } from './support/workloads.ts';

const run = promisify(execFile);
const BUILD = path.join(import.meta.dirname, '..', '..', 'tools', 'image', 'build-local.sh');
/** runc, and ulimits below the machine's: see tools/image/build-local.sh. */
const RUNTIME = ['--runtime', 'runc', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

test('the image built from the Dockerfile runs as user 65532 on a read-only root filesystem and rolls a workload on the control plane', async (t) => {
  const { stdout } = await run('bash', [BUILD], { maxBuffer: 64 * 1024 * 1024 });
  const image = stdout.trim().split('\n').at(-1) ?? '';
  const config = JSON.parse((await run('podman', ['image', 'inspect', image, '--format', '{{json .Config}}'])).stdout) as { User: string; Entrypoint: string[]; Labels: Record<string, string> };
  assert.equal(config.User, '65532:65532');
  assert.deepEqual(config.Entrypoint, ['/nodejs/bin/node', '/app/dist/cli.js']);
  assert.equal(config.Labels['org.opencontainers.image.title'], 'mini-reloader');

  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] }, AUTO) });
  // The container's user is not root: it gets a readable copy, as a pod gets its token file.
  const dir = await mkdtemp(path.join(tmpdir(), 'image-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await copyFile(testCluster().kubeconfigPath, kubeconfig);
  await chmod(kubeconfig, 0o644);
  const name = `mini-reloader-${ns}`.slice(0, 60);
  const container = new ControllerProcess(
    [`--kubeconfig=${kubeconfig}`, `--namespaces=${ns}`, '--metrics-address=127.0.0.1:0', '--log-level=debug', '--debounce=1s'],
    {},
    ['podman', 'run', '--rm', '--name', name, ...RUNTIME, '--read-only', '--cap-drop=ALL', '--security-opt=no-new-privileges', '--network', 'host', '-v', `${kubeconfig}:${kubeconfig}:ro`, image, 'run'],
  );
  container.start();
  t.after(async () => {
    await container.stop();
    await run('podman', ['rm', '--force', '--ignore', name]);
  });
  await container.synced();
  const key = `Deployment/${ns}/web`;
  await container.decided(key, 'adopted');
  const mark = container.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await container.decided(key, 'rolled', mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2);
  const uid = (await run('podman', ['exec', name, '/nodejs/bin/node', '-e', 'process.stdout.write(String(process.getuid()))'])).stdout;
  assert.equal(uid, '65532');
  assert.equal(await container.stop(), 0, 'SIGTERM reaches the controller, which stops cleanly');
});
