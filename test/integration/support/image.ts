import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { testCluster } from './cluster.ts';
import { ControllerProcess } from './controller.ts';

const run = promisify(execFile);
const BUILD = path.join(import.meta.dirname, '..', '..', '..', 'tools', 'image', 'build-local.sh');

/** runc, and ulimits below the machine's: see tools/image/build-local.sh. */
export const PODMAN_RUNTIME: readonly string[] = [
  '--runtime',
  'runc',
  '--ulimit',
  'nofile=4096:4096',
  '--ulimit',
  'nproc=4096:4096',
];

/** The hardening every install applies to the controller's container, as podman flags. */
const PODMAN_HARDENING: readonly string[] = ['--read-only', '--cap-drop=ALL', '--security-opt=no-new-privileges'];

export interface ImageConfig {
  readonly User: string;
  readonly Entrypoint: string[];
  readonly Env?: string[];
  readonly Labels: Record<string, string>;
}

let built: Promise<string> | undefined;

/** The image built from the Dockerfile by `npm run image:local` (rebuilt only when its sources changed), once per test process; its name. */
export async function localImage(): Promise<string> {
  built ??= run('bash', [BUILD], { maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout }) => stdout.trim().split('\n').at(-1) ?? '',
  );
  return built;
}

export async function imageConfig(image: string): Promise<ImageConfig> {
  return JSON.parse(
    (await run('podman', ['image', 'inspect', image, '--format', '{{json .Config}}'])).stdout,
  ) as ImageConfig;
}

/** `podman rm --force` of a container that may already be gone. */
async function removeContainer(name: string): Promise<void> {
  await run('podman', ['rm', '--force', '--ignore', name]);
}

/**
 * A copy of the test cluster's kubeconfig that the container's non-root user
 * can read (as a pod can read its token file), removed when the test ends.
 */
export async function readableKubeconfig(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await copyFile(testCluster().kubeconfigPath, kubeconfig);
  await chmod(kubeconfig, 0o644);
  return kubeconfig;
}

/**
 * `mini-reloader run <args>` in a container of `image` named `name`, hardened
 * as every install runs it, on the host's network (the control plane listens
 * on loopback); stopped and removed when the test ends. `podmanFlags` come
 * before the image: mounts, environment, limits, entrypoint.
 */
export function startContainer(
  t: TestContext,
  name: string,
  image: string,
  podmanFlags: readonly string[],
  args: readonly string[],
): ControllerProcess {
  const container = new ControllerProcess(args, {}, [
    'podman',
    'run',
    '--rm',
    '--name',
    name,
    ...PODMAN_RUNTIME,
    ...PODMAN_HARDENING,
    '--network',
    'host',
    ...podmanFlags,
    image,
    'run',
  ]);
  container.start();
  t.after(async () => {
    await container.stop();
    await removeContainer(name);
  });
  return container;
}
