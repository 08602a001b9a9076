#!/usr/bin/env node
import { Controller, LeadershipLost } from './controller/controller.ts';
import { startProbeServer } from './http/probe-server.ts';
import { ApiClient } from './kube/api-client.ts';
import { loadKubeConfig } from './kube/kubeconfig.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { formatHelp, OptionsError, parseRunOptions } from './options.ts';
import { controllerSettings } from './run-settings.ts';

const USAGE = 'usage: mini-reloader run [flags]   (mini-reloader run --help lists the flags)';

async function run(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(formatHelp());
    return 0;
  }
  let options;
  try {
    options = parseRunOptions(argv, process.env);
  } catch (err) {
    if (err instanceof OptionsError) {
      console.error(`mini-reloader: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(options.logFormat, options.logLevel);
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  const client = ApiClient.fromKubeConfig(kubeConfig);
  const metrics = createMetrics({ countByNamespace: options.metricsByNamespace });
  const controller = new Controller(client, controllerSettings(options), logger, metrics);

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down: finishing in-flight work');
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const probes = await startProbeServer({
    address: options.metricsAddress,
    registry: metrics.registry,
    isReady: () => controller.isReady(),
    isLive: () => controller.isLive(),
    logger,
  });
  logger.info({ port: probes.port, server: client.server, dryRun: options.dryRun }, 'mini-reloader started');
  try {
    await controller.run(stop.signal);
  } catch (err) {
    if (!(err instanceof LeadershipLost)) throw err;
    return 1;
  } finally {
    await probes.close();
  }
  logger.info('stopped');
  return 0;
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'run':
      return run(rest);
    case '--help':
    case '-h':
    case 'help':
      console.log(`${USAGE}\n\n${formatHelp()}`);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`mini-reloader: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
