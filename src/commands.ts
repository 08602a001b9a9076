/** The commands: `run`, `explain` and `migrate-values`, started by the entry point (cli.ts) once the V8 flags are settled. */
import { Controller } from './controller/controller.ts';
import { LeadershipLost } from './controller/leadership.ts';
import { startProbeServer } from './http/probe-server.ts';
import type { Listening } from './http/listen.ts';
import { ApiClient } from './kube/api-client.ts';
import { loadKubeConfig } from './kube/kubeconfig.ts';
import { LeaseElector } from './leader/lease-elector.ts';
import { apiLeaseStore } from './leader/lease-store.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics/metrics.ts';
import { AlertSender } from './notify/alert-sender.ts';
import { HttpPoster } from './notify/http-post.ts';
import { webhookNotifier } from './notify/webhook-notifier.ts';
import { formatHelp } from './options/help.ts';
import { OptionsError } from './options/options-error.ts';
import { parseRunOptions } from './options/parse-run-options.ts';
import type { RunOptions } from './options/run-options.ts';
import { controllerSettings } from './run-settings.ts';

const USAGE = `usage: mini-reloader run [flags]   (mini-reloader run --help lists the flags)
       mini-reloader explain TYPE/NAME [-n NAMESPACE] [-o table|json] [--key KEY]   (mini-reloader explain --help)
       mini-reloader migrate-values <stakater-values.yaml>`;

/** A receiver gets this long to answer a POST. */
const POST_TIMEOUT_MS = 10_000;
/** Alerts still queued at shutdown get this long to go out. */
const ALERT_DRAIN_MS = 5_000;

function leaseElector(options: RunOptions, client: ApiClient, logger: Logger): LeaseElector | undefined {
  const ha = options.ha;
  if (ha === undefined) return undefined;
  return new LeaseElector({
    store: apiLeaseStore(client, ha.leaseNamespace, ha.leaseName),
    identity: ha.identity,
    leaseDurationMs: ha.leaseDurationMs,
    renewDeadlineMs: ha.renewDeadlineMs,
    retryPeriodMs: ha.retryPeriodMs,
    logger,
  });
}

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
  for (const warning of options.warnings) logger.warn(warning);
  const metrics = createMetrics({ countByNamespace: options.metricsByNamespace });
  const client = new ApiClient(await loadKubeConfig(options.kubeconfig), metrics.apiRequests);
  const webhook =
    options.webhookUrl === undefined
      ? undefined
      : new HttpPoster({ url: options.webhookUrl, timeoutMs: POST_TIMEOUT_MS });
  const alerts =
    options.alerts === undefined
      ? undefined
      : new AlertSender({
          poster: new HttpPoster({ url: options.alerts.url, proxy: options.alerts.proxy, timeoutMs: POST_TIMEOUT_MS }),
          sink: options.alerts.sink,
          additionalInfo: options.alerts.additionalInfo,
          structured: options.alerts.structured,
          logger,
          metrics,
        });
  const controller = new Controller(client, controllerSettings(options), logger, metrics, {
    ...(webhook === undefined ? {} : { webhook: webhookNotifier(webhook) }),
    ...(alerts === undefined
      ? {}
      : {
          rolled: (notice) => {
            alerts.notify(notice);
          },
          halted: (notice) => {
            alerts.notifyHalt(notice);
          },
        }),
  });

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
  logger.info(
    { port: probes.port, server: new URL(client.server).origin, dryRun: options.dryRun },
    'mini-reloader started',
  );
  let profiling: Listening | undefined;
  try {
    if (options.profilingAddress !== undefined) {
      // Loaded only when asked for: the inspector and heap-snapshot modules it needs cost 1 MiB of RSS.
      const { startProfilingServer } = await import('./http/profiling-server.ts');
      profiling = await startProfilingServer({ address: options.profilingAddress, logger });
    }
    await controller.run(stop.signal, leaseElector(options, client, logger));
  } catch (err) {
    if (!(err instanceof LeadershipLost)) throw err;
    return 1;
  } finally {
    await Promise.all([probes.close(), profiling?.close(), webhook?.close(), alerts?.close(ALERT_DRAIN_MS)]);
    client.close();
  }
  logger.info('stopped');
  return 0;
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'run':
      return run(rest);
    case 'explain':
      // explain and migrate-values are loaded only when asked for: the controller never pays for their code (explain's alone is 3 MiB of RSS).
      return (await import('./explain/explain-command.ts')).explainCommand(rest, {
        out: (text) => {
          process.stdout.write(text);
        },
        err: (text) => {
          process.stderr.write(text);
        },
        env: process.env,
      });
    case 'migrate-values':
      return (await import('./migrate/migrate-values.ts')).migrateValuesCommand(rest);
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
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`mini-reloader: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
