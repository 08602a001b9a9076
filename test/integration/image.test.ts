import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packageVersion } from '../../src/prometheus/build-info.ts';
import { clients, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { imageConfig, localImage, readableKubeconfig, startContainer } from './support/image.ts';
import { deployment, replicaSetsOf } from './support/workloads.ts';

const run = promisify(execFile);

test('the image built from the Dockerfile runs as user 65532 on a read-only root filesystem and rolls a workload on the control plane', async (t) => {
  const image = await localImage();
  const config = await imageConfig(image);
  assert.equal(config.User, '65532:65532');
  assert.deepEqual(config.Entrypoint, ['/nodejs/bin/node', '--lite-mode', '/app/dist/cli.js']);
  assert.equal(config.Labels['org.opencontainers.image.title'], 'mini-reloader');

  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  const kubeconfig = await readableKubeconfig(t);
  const name = `mini-reloader-${ns}`.slice(0, 60);
  const container = startContainer(
    t,
    name,
    image,
    ['-v', `${kubeconfig}:${kubeconfig}:ro`],
    [
      `--kubeconfig=${kubeconfig}`,
      `--namespaces=${ns}`,
      '--metrics-address=127.0.0.1:0',
      '--log-level=debug',
      '--debounce=1s',
    ],
  );
  await container.synced();
  const serving = await container.waitFor('the metrics port', (l) => l.msg.startsWith('serving /metrics'));
  const metrics = await (await fetch(`http://127.0.0.1:${String(serving.port)}/metrics`)).text();
  assert.ok(
    metrics.split('\n').includes(`mini_reloader_build_info{version="${packageVersion()}"} 1`),
    'the bundle in dist/ finds the package.json the image copies beside it',
  );
  const key = `Deployment/${ns}/web`;
  await container.decided(key, 'adopted');
  const mark = container.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await container.decided(key, 'rolled', mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2);
  const uid = (
    await run('podman', ['exec', name, '/nodejs/bin/node', '-e', 'process.stdout.write(String(process.getuid()))'])
  ).stdout;
  assert.equal(uid, '65532');
  const cmdline = (
    await run('podman', [
      'exec',
      name,
      '/nodejs/bin/node',
      '-e',
      'process.stdout.write(require("fs").readFileSync("/proc/1/cmdline", "utf8"))',
    ])
  ).stdout;
  assert.deepEqual(
    cmdline.split('\0').slice(0, 4),
    ['/nodejs/bin/node', '--lite-mode', '/app/dist/cli.js', 'run'],
    'the controller runs with --lite-mode',
  );
  assert.equal(await container.stop(), 0, 'SIGTERM reaches the controller, which stops cleanly');
});
