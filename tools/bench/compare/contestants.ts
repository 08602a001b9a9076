import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControllerProcess } from './controller-process.ts';
import { optionalSum, sum } from './prometheus-text.ts';

/** A controller started for one measurement run. */
export interface RunningController {
  readonly process: ControllerProcess;
  /** Resolves with the time (ms since the epoch) its caches held the whole cluster. */
  synced(timeoutMs: number): Promise<number>;
  /** Its own /metrics text. */
  metrics(): Promise<string>;
  /** Its heap in bytes, from its /metrics: V8's used heap, or Go's allocated heap. */
  heapBytes(metricsText: string): number | undefined;
  /** Whether it is ready to react to edits of these Deployments' configs (ours: it has adopted them). */
  readyForEdits(annotations: readonly (Readonly<Record<string, string>> | undefined)[]): boolean;
}

/** One column of the comparison: a controller with its settings. */
export interface Contestant {
  readonly id: string;
  readonly label: string;
  readonly controller: 'mini-reloader' | 'stakater';
  /** The debounce window it runs with; 0 when it has none. */
  readonly debounceMs: number;
  /**
   * Starts it against the cluster. `configs` is the number of ConfigMaps and
   * Secrets in the cluster, for a controller that does not say when it has synced.
   */
  start(kubeconfig: string, configs: number, logFile: string): Promise<RunningController>;
}

/** Reading a variable costs nothing: mini-reloader's log line is seen at once. */
const LOG_POLL = (): number => 25;
/**
 * Each scrape costs Stakater CPU that would be counted against it, so the
 * first seconds, when a small cluster syncs, are polled finely and a long
 * sync coarsely (a quarter of a second out of ten or more).
 */
const SCRAPE_POLL = (elapsedMs: number): number => (elapsedMs < 2000 ? 25 : elapsedMs < 10_000 ? 100 : 250);
const root = path.join(import.meta.dirname, '..', '..', '..');
/** Where mini-reloader records what a workload's pods see; present once it has adopted the workload. */
const RECORD_ANNOTATION = 'mini-reloader.pelabs/config-hash-record';
/** Stakater serves /metrics here, with no flag to move it. */
const STAKATER_PORT = 9090;
const PORT_WAIT_MS = 120_000;

/** The environment minus what would narrow either controller to one namespace or make Stakater write its meta-info ConfigMap. */
function controllerEnv(kubeconfig: string): NodeJS.ProcessEnv {
  const { KUBERNETES_NAMESPACE: _ns, RELOADER_NAMESPACE: _rn, ...env } = process.env;
  return { ...env, KUBECONFIG: kubeconfig };
}

/**
 * mini-reloader as built (`node dist/cli.js run`), with Stakater's default
 * strategy (env-vars) so both write the same marks. Its metrics listen on a
 * free loopback port; it logs "caches synced" once every cache holds a full list.
 */
export function miniReloader(debounce: '2s' | '0'): Contestant {
  const debounceMs = debounce === '0' ? 0 : 2000;
  return {
    id: debounce === '0' ? 'mini-reloader-debounce-0' : 'mini-reloader',
    label: debounce === '0' ? 'mini-reloader, --debounce=0' : 'mini-reloader, debounce 2s',
    controller: 'mini-reloader',
    debounceMs,
    start(kubeconfig, _configs, logFile) {
      let port = 0;
      let syncedAt = 0;
      const process_ = new ControllerProcess(
        process.execPath,
        [
          path.join(root, 'dist', 'cli.js'),
          'run',
          `--kubeconfig=${kubeconfig}`,
          '--metrics-address=127.0.0.1:0',
          '--reload-strategy=env-vars',
          `--debounce=${debounce}`,
        ],
        controllerEnv(kubeconfig),
        logFile,
        (line) => {
          let entry: { msg?: unknown; port?: unknown };
          try {
            entry = JSON.parse(line) as typeof entry;
          } catch {
            return;
          }
          if (entry.msg === 'mini-reloader started' && typeof entry.port === 'number') port = entry.port;
          if (typeof entry.msg === 'string' && entry.msg.startsWith('caches synced') && syncedAt === 0)
            syncedAt = Date.now();
        },
      );
      const metrics = async (): Promise<string> => {
        if (port === 0) throw new Error('mini-reloader has not said which port it listens on');
        return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      };
      return Promise.resolve({
        process: process_,
        synced: (timeoutMs) =>
          process_.poll(
            'caches synced',
            () => Promise.resolve(syncedAt === 0 || port === 0 ? undefined : syncedAt),
            timeoutMs,
            LOG_POLL,
          ),
        metrics,
        heapBytes: (text) => optionalSum(text, 'nodejs_heap_size_used_bytes'),
        readyForEdits: (annotations) => annotations.every((a) => a?.[RECORD_ANNOTATION] !== undefined),
      });
    },
  };
}

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/**
 * Stakater Reloader from a binary built from its source, with its defaults
 * (env-vars). It reads the kubeconfig only from KUBECONFIG and logs nothing
 * when its caches have synced: it has once its informers have delivered an
 * "add" event for every ConfigMap and Secret in the cluster.
 */
export function stakater(binary: string): Contestant {
  return {
    id: 'stakater',
    label: 'Stakater Reloader',
    controller: 'stakater',
    debounceMs: 0,
    async start(kubeconfig, configs, logFile) {
      // On a shared machine another process may hold the port for a while.
      const deadline = Date.now() + PORT_WAIT_MS;
      while (await portInUse(STAKATER_PORT)) {
        if (Date.now() > deadline)
          throw new Error(
            `port ${STAKATER_PORT} is still in use after ${PORT_WAIT_MS} ms: Stakater cannot serve its metrics there, and the benchmark would read another process's`,
          );
        await sleep(1000);
      }
      const process_ = new ControllerProcess(binary, [], controllerEnv(kubeconfig), logFile);
      const metrics = async (): Promise<string> => {
        const text = await (await fetch(`http://127.0.0.1:${STAKATER_PORT}/metrics`)).text();
        // Only a Go process serves these: the port is not someone else's.
        if (!text.includes('go_memstats_heap_alloc_bytes'))
          throw new Error(`port ${STAKATER_PORT} is served by something other than Stakater`);
        return text;
      };
      return {
        process: process_,
        synced: (timeoutMs) =>
          process_.poll(
            'all configs received',
            async () => {
              const received = sum(await metrics(), 'reloader_events_received_total', { event_type: 'add' });
              return received >= configs ? Date.now() : undefined;
            },
            timeoutMs,
            SCRAPE_POLL,
          ),
        metrics,
        heapBytes: (text) => optionalSum(text, 'go_memstats_heap_alloc_bytes'),
        readyForEdits: () => true,
      };
    },
  };
}
