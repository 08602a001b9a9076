import { LocalCluster } from './local-cluster.ts';

const usage = 'usage: node tools/cluster/cli.ts up|down|status [--name NAME] [--nodes N]';

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: readonly string[]): Promise<number> {
  const name = flag(args, '--name') ?? 'mini-reloader';
  switch (args[0]) {
    case 'up': {
      const nodes = Number(flag(args, '--nodes') ?? '3');
      if (!Number.isInteger(nodes) || nodes < 1) {
        console.error(`--nodes: "${String(flag(args, '--nodes'))}" is not a positive whole number`);
        return 2;
      }
      // Ctrl-C during start-up must not leave half a cluster behind.
      const interrupted = (): void => {
        LocalCluster.destroy(name).then(
          () => process.exit(130),
          () => process.exit(130),
        );
      };
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      const cluster = await LocalCluster.start(name, {
        nodes,
        log: (line) => {
          console.error(`[cluster] ${line}`);
        },
      });
      console.log(`kubeconfig: ${cluster.kubeconfigPath}`);
      console.log(`export KUBECONFIG=${cluster.kubeconfigPath}`);
      console.log('stop it with: npm run cluster:down');
      return 0;
    }
    case 'down':
      await LocalCluster.destroy(name);
      console.log(`cluster "${name}" stopped`);
      return 0;
    case 'status': {
      const cluster = LocalCluster.attach(name);
      if (cluster === undefined) {
        console.log(`cluster "${name}" is not running`);
        return 1;
      }
      for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const) {
        console.log(`${c}: ${cluster.isRunning(c) ? 'running' : 'stopped'}`);
      }
      console.log(`export KUBECONFIG=${cluster.kubeconfigPath}`);
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
