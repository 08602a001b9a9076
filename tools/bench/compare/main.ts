import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from '../../cluster/local-cluster.ts';
import { AdminApi } from './admin-api.ts';
import { miniReloader, stakater, type Contestant } from './contestants.ts';
import { stopAllControllers } from './controller-process.ts';
import { measureRun, type RunResult } from './measure-run.ts';
import { BENCH_SELECTOR, createPopulation, createProbeSet, deleteNamespace, type ProbeSet } from './population.ts';
import { untilQuiet } from './quiet.ts';
import { renderMarkdown, type Report, type ScaleResult } from './report.ts';
import { DEFAULT_SCALES, pickScales, SCALES, type Scale } from './scales.ts';
import { TemplateWatch } from './template-watch.ts';

const USAGE = `Side by side: mini-reloader and Stakater Reloader on the same local cluster and objects.

  npm run bench:compare -- --stakater-bin PATH [--scales small,medium,large] [--out FILE.md] [--json FILE.json]
                           [--cluster NAME] [--log-dir DIR]

  --stakater-bin   Stakater Reloader binary (or STAKATER_RELOADER_BIN); README "Performance" says how to build it
  --scales         comma list of ${SCALES.map((s) => s.name).join(', ')} (default: ${DEFAULT_SCALES})
  --out            also write the Markdown table here; the JSON goes beside it (FILE.json) unless --json says where
  --cluster        name of the local cluster it starts and removes (default: bench-compare)
  --log-dir        where each controller's log is kept (default: $TMPDIR/mini-reloader-bench-compare)`;

/**
 * kube-controller-manager's default client limit (20 requests/s) lags tens
 * of seconds behind a burst of template changes: raised, so its follow-up
 * does not throttle the controllers' reaction times.
 */
const CONTROLLER_MANAGER_FLAGS = ['--kube-api-qps=500', '--kube-api-burst=1000', '--concurrent-deployment-syncs=50'];
const root = path.join(import.meta.dirname, '..', '..', '..');

function log(line: string): void {
  console.error(`[bench] ${line}`);
}

function commandOutput(command: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function miniReloaderVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const commit = commandOutput('git', ['describe', '--always', '--dirty']);
  return commit === undefined ? pkg.version : `${pkg.version} (${commit})`;
}

/** The version its build stamped in with -X, read back by `go version -m`. */
function stakaterVersion(binary: string): string {
  const info = commandOutput('go', ['version', '-m', binary]) ?? '';
  const marker = 'github.com/stakater/Reloader/pkg/common.Version=';
  const at = info.indexOf(marker);
  return at < 0 ? `unknown version (${binary})` : (info.slice(at + marker.length).split(/[\s"]/)[0] ?? '');
}

async function runScale(
  scale: Scale,
  contestants: readonly Contestant[],
  clusterName: string,
  logDir: string,
): Promise<ScaleResult> {
  const begun = Date.now();
  log(`${scale.name}: starting cluster "${clusterName}"`);
  const cluster = await LocalCluster.start(clusterName, {
    log: (l) => {
      log(`cluster: ${l}`);
    },
    extraArgs: { 'kube-controller-manager': CONTROLLER_MANAGER_FLAGS },
  });
  const api = new AdminApi(cluster.server, cluster.adminToken, cluster.kubeconfigPath);
  let watch: TemplateWatch | undefined;
  try {
    const { gitVersion: kubernetes } = await api.json<{ gitVersion: string }>('GET', '/version');
    log(`${scale.name}: creating objects`);
    await createPopulation(api, scale);
    const populateSeconds = (Date.now() - begun) / 1000;
    log(`${scale.name}: objects created in ${populateSeconds.toFixed(0)} s`);
    watch = await TemplateWatch.start(api, BENCH_SELECTOR);
    if (!(await untilQuiet(api, 600_000)))
      log(`${scale.name}: kube-controller-manager still busy after 600 s; measuring anyway`);
    const runs: RunResult[] = [];
    const probeSet = (contestant: Contestant): Promise<ProbeSet> =>
      createProbeSet(api, `probe-${contestant.id}`, scale.valueBytes);
    // A controller that already ran in this scale is restarted: its probe objects exist before the first
    // run, so it finds them adopted, as a restarted controller finds the workloads it followed.
    const restartProbes = new Map<string, ProbeSet>();
    for (const [i, contestant] of contestants.entries())
      if (contestants.findIndex((c) => c.controller === contestant.controller) < i)
        restartProbes.set(contestant.id, await probeSet(contestant));
    for (const contestant of contestants) {
      const probe = restartProbes.get(contestant.id) ?? (await probeSet(contestant));
      runs.push(
        await measureRun(
          {
            api,
            watch,
            kubeconfig: cluster.kubeconfigPath,
            logDir,
            scale,
            log: (l) => {
              log(`${scale.name}: ${l}`);
            },
          },
          contestant,
          probe,
        ),
      );
      await deleteNamespace(api, probe.namespace).catch((err: unknown) => {
        log(`${scale.name}: removing ${probe.namespace}: ${String(err)}`);
      });
    }
    return { scale, kubernetes, populateSeconds, runs, totalSeconds: (Date.now() - begun) / 1000 };
  } finally {
    await watch?.stop();
    api.close();
    await LocalCluster.destroy(clusterName);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'stakater-bin': { type: 'string' },
      scales: { type: 'string', default: DEFAULT_SCALES },
      out: { type: 'string' },
      json: { type: 'string' },
      cluster: { type: 'string', default: 'bench-compare' },
      'log-dir': { type: 'string', default: path.join(os.tmpdir(), 'mini-reloader-bench-compare') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const binary = values['stakater-bin'] ?? process.env.STAKATER_RELOADER_BIN;
  if (binary === undefined || binary === '' || !existsSync(binary)) {
    console.error(
      `a Stakater Reloader binary is needed: --stakater-bin PATH or STAKATER_RELOADER_BIN (got ${binary ?? 'neither'})\n\n${USAGE}`,
    );
    return 2;
  }
  const scales = pickScales(values.scales);
  const clusterName = values.cluster;
  const logDir = values['log-dir'];
  mkdirSync(logDir, { recursive: true });

  const interrupted = (): void => {
    stopAllControllers()
      .then(() => LocalCluster.destroy(clusterName))
      .catch((err: unknown) => {
        console.error(`cleanup after interrupt: ${String(err)}`);
      })
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  log('building mini-reloader (npm run build)');
  execFileSync(process.execPath, [path.join(root, 'tools', 'build', 'build.ts')], { cwd: root, stdio: 'inherit' });

  // Alternating: ours at its first start (it adopts every workload), Stakater, then ours again, restarted, without debounce.
  const contestants = [miniReloader('2s'), stakater(binary), miniReloader('0')];
  const results: ScaleResult[] = [];
  for (const scale of scales) results.push(await runScale(scale, contestants, clusterName, logDir));

  const cpus = os.cpus();
  const report: Report = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: {
      cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
    },
    versions: {
      miniReloader: miniReloaderVersion(),
      node: process.version,
      stakater: stakaterVersion(binary),
      kubernetes: results[0]?.kubernetes ?? 'unknown',
    },
    scales: results,
  };
  const markdown = renderMarkdown(report);
  process.stdout.write(markdown);
  const jsonFile = values.json ?? (values.out === undefined ? undefined : `${values.out.replace(/\.md$/, '')}.json`);
  if (values.out !== undefined) writeFileSync(values.out, markdown);
  if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  log(
    `controller logs in ${logDir}${values.out === undefined ? '' : `; table in ${values.out}, JSON in ${String(jsonFile)}`}`,
  );
  return results.some((s) => s.runs.some((r) => r.error !== undefined)) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
