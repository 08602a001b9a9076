import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminApi } from './admin-api.ts';
import type { Contestant, RunningController } from './contestants.ts';
import { percentile } from './percentile.ts';
import { countConfigs, filler, type ProbeSet } from './population.ts';
import { processStats } from './process-stats.ts';
import { untilQuiet } from './quiet.ts';
import { countRequests, requestsBetween, type RequestCounts } from './request-counts.ts';
import type { Scale } from './scales.ts';
import type { TemplateWatch } from './template-watch.ts';

/** Everything measured for one controller at one scale. */
export interface RunResult {
  readonly contestant: string;
  readonly label: string;
  /** Set when the run could not finish; the figures measured before it are kept. */
  error?: string;
  syncSeconds?: number;
  /** From the start to its first log line: loading the runtime and the code, before any API call. */
  firstOutputSeconds?: number;
  /** 30 s after sync. */
  steady?: { rssMiB: number; heapMiB: number | undefined; cpuSeconds: number };
  /** VmHWM at the end of the run: the initial sync, the edits and the fan-out included. */
  peakRssMiB?: number;
  /** Whether mini-reloader had adopted every Deployment before the edits began. */
  adoptedBeforeEdits?: boolean;
  /** The start window for API requests: from the launch until 30 s after sync, every Deployment adopted, and the cluster quiet. */
  startWindowSeconds?: number;
  /** API requests by "VERB resource", the benchmark's own excluded. */
  readonly requests: {
    start?: Record<string, number>;
    edits?: Record<string, number>;
    fanOut?: Record<string, number>;
  };
  latency?: {
    samples: number;
    p50Seconds: number | undefined;
    p99Seconds: number | undefined;
    misses: number;
    notMade: number;
  };
  fanOut?: { seconds: number | undefined; rolled: number; misses: number };
  /** Extra rollouts of a Deployment whose config changed. */
  duplicates?: number;
  /** Rollouts of Deployments whose config did not change (or changed only where the pods cannot see it). */
  spurious?: number;
  /** The machine's 1-minute load average when the controller started: how much else competed for the CPU. */
  loadAverage?: number;
  runSeconds?: number;
}

/** Seconds after sync at which the steady figures are taken. */
export const STEADY_AFTER_MS = 30_000;
/** Edits that must roll one Deployment each; their reaction times are the latency samples. */
export const ROLLING_EDITS = 50;
/** Edits that must roll nothing: to a key the pods do not read, and to labels only. */
export const NON_ROLLING_EDITS = 5;
const EDIT_TIMEOUT_MS = 15_000;
const EDITS_PHASE_MS = 300_000;
const FAN_OUT_TIMEOUT_MS = 180_000;
/** After the last edit, how long to keep watching for late duplicates: beyond any debounce in play. */
const SETTLE_MS = 8000;
const ADOPTION_TIMEOUT_MS = 600_000;
const QUIET_TIMEOUT_MS = 300_000;

interface Snapshot {
  readonly counts: RequestCounts;
  readonly own: RequestCounts;
}

async function snapshot(api: AdminApi): Promise<Snapshot> {
  const own = api.ownRequests();
  return { counts: countRequests(await api.text('/metrics')), own };
}

function between(a: Snapshot, b: Snapshot): Record<string, number> {
  return Object.fromEntries(requestsBetween(a.counts, b.counts, a.own, b.own));
}

async function patchConfig(
  api: AdminApi,
  namespace: string,
  kind: 'configmaps' | 'secrets',
  name: string,
  patch: unknown,
): Promise<void> {
  await api.json('PATCH', `/api/v1/namespaces/${namespace}/${kind}/${name}`, patch, 'application/merge-patch+json');
}

export interface RunContext {
  readonly api: AdminApi;
  readonly watch: TemplateWatch;
  readonly kubeconfig: string;
  readonly logDir: string;
  readonly scale: Scale;
  readonly log: (line: string) => void;
}

/**
 * Runs one controller through the protocol, alone on the cluster: start and
 * sync, steady state 30 s later, edits that must roll exactly one Deployment
 * each, edits that must roll nothing, and a 100-way fan-out. The probe
 * objects live in a namespace of their own, created by the caller before the
 * start, who deletes it afterwards.
 */
export async function measureRun(ctx: RunContext, contestant: Contestant, probe: ProbeSet): Promise<RunResult> {
  const result: RunResult = { contestant: contestant.id, label: contestant.label, requests: {} };
  const begun = Date.now();
  const { api, watch, log } = ctx;
  let running: RunningController | undefined;
  try {
    const probeKeys = [...probe.latency, probe.keyed, probe.labelled, ...probe.fanOut].map(
      (name) => `${probe.namespace}/${name}`,
    );
    if (!(await watch.until(() => probeKeys.every((k) => watch.annotations(k) !== undefined), 30_000)))
      throw new Error('the watch did not see the probe Deployments');
    if (!(await untilQuiet(api, QUIET_TIMEOUT_MS)))
      log('the cluster did not settle before the start; measuring anyway');

    const configs = await countConfigs(api);
    const beforeStart = await snapshot(api);
    log(`${contestant.label}: starting (${configs} ConfigMaps and Secrets in the cluster)`);
    result.loadAverage = os.loadavg()[0];
    running = await contestant.start(
      ctx.kubeconfig,
      configs,
      path.join(ctx.logDir, `${ctx.scale.name}-${contestant.id}.log`),
    );
    const proc = running.process;
    const syncedAt = await running.synced(ctx.scale.syncTimeoutMs);
    result.syncSeconds = (syncedAt - proc.startedAt) / 1000;
    if (proc.firstOutputAt !== undefined) result.firstOutputSeconds = (proc.firstOutputAt - proc.startedAt) / 1000;
    log(`${contestant.label}: synced after ${result.syncSeconds.toFixed(2)} s`);

    await sleep(Math.max(0, syncedAt + STEADY_AFTER_MS - Date.now()));
    proc.assertRunning('steady state');
    const steady = processStats(proc.pid);
    const heap = running.heapBytes(await running.metrics());
    result.steady = {
      rssMiB: steady.rssMiB,
      heapMiB: heap === undefined ? undefined : heap / 2 ** 20,
      cpuSeconds: steady.cpuSeconds,
    };

    // The start's cost includes first-start adoption and kube-controller-manager's follow-up, however long they take.
    const ready = running.readyForEdits.bind(running);
    result.adoptedBeforeEdits = await watch.until(
      () => ready(watch.keys().map((k) => watch.annotations(k))),
      ADOPTION_TIMEOUT_MS,
    );
    if (!result.adoptedBeforeEdits)
      log(`${contestant.label}: Deployments not all adopted within ${ADOPTION_TIMEOUT_MS} ms; editing anyway`);
    if (!(await untilQuiet(api, QUIET_TIMEOUT_MS)))
      log(`${contestant.label}: the cluster did not settle after the start; measuring anyway`);
    result.requests.start = between(beforeStart, await snapshot(api));
    result.startWindowSeconds = (Date.now() - proc.startedAt) / 1000;

    const editsMade = await editPhase(ctx, probe, result);
    await fanOutPhase(ctx, probe, result);

    proc.assertRunning('end of run');
    result.peakRssMiB = processStats(proc.pid).peakRssMiB;
    countRollouts(watch, probe, proc.startedAt, editsMade, result);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    log(`${contestant.label}: ${result.error}`);
  } finally {
    await running?.process.stop();
    result.runSeconds = (Date.now() - begun) / 1000;
  }
  return result;
}

/** The edits phase; returns how many rolling edits each latency Deployment got. */
async function editPhase(ctx: RunContext, probe: ProbeSet, result: RunResult): Promise<Map<string, number>> {
  const { api, watch } = ctx;
  const before = await snapshot(api);
  for (let k = 0; k < NON_ROLLING_EDITS; k++) {
    await patchConfig(api, probe.namespace, 'configmaps', probe.keyed, {
      data: { unused: filler(`unused-${k}`, ctx.scale.valueBytes) },
    });
    await patchConfig(api, probe.namespace, 'configmaps', probe.labelled, {
      metadata: { labels: { revision: String(k) } },
    });
  }
  const latencies: number[] = [];
  const made = new Map<string, number>();
  let misses = 0;
  const deadline = Date.now() + EDITS_PHASE_MS;
  let k = 0;
  for (; k < ROLLING_EDITS && Date.now() < deadline; k++) {
    const name = probe.latency[k % probe.latency.length] ?? '';
    const key = `${probe.namespace}/${name}`;
    // Ten ConfigMap edits, then ten Secret edits, and so on: each Deployment gets both kinds.
    const kind = Math.floor(k / probe.latency.length) % 2 === 0 ? 'configmaps' : 'secrets';
    const value = filler(`${name}-${k}`, ctx.scale.valueBytes);
    const data =
      kind === 'configmaps' ? { 'app.properties': value } : { credentials: Buffer.from(value).toString('base64') };
    const writtenAt = Date.now();
    await patchConfig(api, probe.namespace, kind, name, { data });
    made.set(key, (made.get(key) ?? 0) + 1);
    if (await watch.until(() => watch.changes(key, writtenAt).length > 0, EDIT_TIMEOUT_MS)) {
      latencies.push(((watch.changes(key, writtenAt)[0] ?? writtenAt) - writtenAt) / 1000);
    } else {
      misses++;
    }
  }
  await sleep(SETTLE_MS);
  result.requests.edits = between(before, await snapshot(api));
  result.latency = {
    samples: latencies.length,
    p50Seconds: percentile(latencies, 50),
    p99Seconds: percentile(latencies, 99),
    misses,
    notMade: ROLLING_EDITS - k,
  };
  return made;
}

async function fanOutPhase(ctx: RunContext, probe: ProbeSet, result: RunResult): Promise<void> {
  const { api, watch } = ctx;
  const keys = probe.fanOut.map((name) => `${probe.namespace}/${name}`);
  const before = await snapshot(api);
  const writtenAt = Date.now();
  await patchConfig(api, probe.namespace, 'configmaps', 'shared', {
    data: { 'app.properties': filler('shared-edited', ctx.scale.valueBytes) },
  });
  const rolled = (): number => keys.filter((k) => watch.changes(k, writtenAt).length > 0).length;
  const all = await watch.until(() => rolled() === keys.length, FAN_OUT_TIMEOUT_MS);
  const last = Math.max(...keys.map((k) => watch.changes(k, writtenAt)[0] ?? writtenAt));
  await sleep(SETTLE_MS);
  result.requests.fanOut = between(before, await snapshot(api));
  result.fanOut = {
    seconds: all ? (last - writtenAt) / 1000 : undefined,
    rolled: rolled(),
    misses: keys.length - rolled(),
  };
}

/**
 * Duplicates: rollouts of a Deployment beyond the edits it got. Spurious:
 * rollouts of every other watched Deployment (the scale's population, the
 * unused-key and labels-only Deployments, other probe sets) since the start.
 */
function countRollouts(
  watch: TemplateWatch,
  probe: ProbeSet,
  since: number,
  editsMade: ReadonlyMap<string, number>,
  result: RunResult,
): void {
  const expected = new Map(editsMade);
  for (const name of probe.fanOut) expected.set(`${probe.namespace}/${name}`, 1);
  let duplicates = 0;
  let spurious = 0;
  for (const key of watch.keys()) {
    const rollouts = watch.changes(key, since).length;
    const edits = expected.get(key);
    if (edits === undefined) spurious += rollouts;
    else duplicates += Math.max(0, rollouts - edits);
  }
  result.duplicates = duplicates;
  result.spurious = spurious;
}
