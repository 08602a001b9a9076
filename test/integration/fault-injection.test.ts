import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../../src/kube/api-client.ts';
import type { LocalCluster } from '../../tools/cluster/local-cluster.ts';
import { apiClient, clients, eventually, testCluster, testNamespace, type Clients } from './support/cluster.ts';
import { createConfigMap, updateConfigMap, updateSecret } from './support/config.ts';
import { controllerArgs, type ControllerProcess } from './support/controller.ts';
import { ControllerReplicas, haReplica } from './support/controller-replicas.ts';
import {
  createFleetConfig,
  createFleetWorkload,
  fleetConfigs,
  fleetWorkload,
  followsAnything,
  rolloutsByWorkload,
  seededRandom,
  sees,
  workloadKey,
  type ConfigWrite,
  type FleetConfig,
  type FleetWorkload,
  type FleetWorkloadKind,
  type OptIn,
  type Random,
} from './support/fault-fleet.ts';

/**
 * Exactly-once under faults, on the real control plane. A fleet of workloads
 * with mixed references follows a pool of ConfigMaps and Secrets; config
 * writes come in bursts (one write per config, all within the debounce, so
 * the controller coalesces each burst into at most one roll per workload);
 * faults hit the controller and the API server during or right after a
 * burst. After each burst the run waits until every workload that sees one
 * of its writes has rolled, then goes on. The oracle counts rollouts as the
 * cluster recorded them (new ReplicaSets and ControllerRevisions, never
 * metadata.generation) and wants, per workload, exactly one per burst it
 * sees: changes made while a fault held the controller back belong to their
 * burst and still roll once; a write it does not see (a key outside its
 * references, a config it does not follow, a labels-only write) rolls
 * nothing; and a final restart of the controller rolls nothing.
 *
 * The short run is part of `npm test`. `npm run test:faults` is the long
 * run: MINI_RELOADER_FAULTS=long, with MINI_RELOADER_FAULT_CHANGES (default
 * 320) and MINI_RELOADER_FAULT_SEED (default: random, printed). The seed
 * fixes the fleet, the writes and which fault hits which burst; the timing
 * within a burst is left to chance.
 */

/** A whole number from the environment, or the default; anything else stops the run before it starts. */
function wholeNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  if (!/^[0-9]{1,9}$/.test(raw)) throw new Error(`${name}="${raw}" is not a whole number`);
  return Number(raw);
}

const LONG = process.env.MINI_RELOADER_FAULTS === 'long';
const SEED = wholeNumber('MINI_RELOADER_FAULT_SEED', Math.floor(Math.random() * 1_000_000));
const CHANGES = wholeNumber('MINI_RELOADER_FAULT_CHANGES', LONG ? 320 : 60);
/** How often each fault is injected. */
const ROUNDS = LONG ? 4 : 1;
const WORKLOADS = LONG ? 36 : 24;
const DEBOUNCE_MS = 2000;
/** How long after its last write a burst's watch events have surely reached the controller, before the API server is stopped. */
const WATCH_SETTLE_MS = 500;
/** New workloads per adoption race, each with its own ConfigMap. */
const LATE_WORKLOADS = 3;
/** How long one burst may take to roll everything it should, faults included. */
const CONVERGE_TIMEOUT_MS = 60_000;

type SingleFault =
  | 'controller-kill-while-writing'
  | 'controller-kill-at-first-roll'
  | 'apiserver-sigstop'
  | 'apiserver-restart'
  | 'adoption-race';
type HaFault = 'leader-kill-in-debounce' | 'leader-kill-at-first-roll' | 'apiserver-sigstop';
type Fault = SingleFault | HaFault;
const SINGLE_FAULTS: readonly SingleFault[] = [
  'controller-kill-while-writing',
  'controller-kill-at-first-roll',
  'apiserver-sigstop',
  'apiserver-restart',
  'adoption-race',
];
const HA_FAULTS: readonly HaFault[] = ['leader-kill-in-debounce', 'leader-kill-at-first-roll', 'apiserver-sigstop'];

interface Burst {
  readonly writes: readonly ConfigWrite[];
  readonly fault: Fault | undefined;
}

/** What the oracle knows of one workload. */
interface Tracked {
  readonly workload: FleetWorkload;
  expected: number;
  /** Rollouts it was still short of when a burst timed out: later bursts wait only for the rest. */
  missing: number;
  /** Per burst: seen by a write (the fault named), and the rollouts counted once the burst settled. */
  readonly history: string[];
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Four to ten writes, each to a different config: new values for one or two keys, or (ConfigMaps only) a new label. */
function burstWrites(random: Random, pool: readonly FleetConfig[]): ConfigWrite[] {
  const size = 4 + Math.floor(random() * 7);
  return shuffled(random, pool)
    .slice(0, size)
    .map((config) => {
      if (config.kind === 'ConfigMap' && random() < 0.15) return { config, keys: [] };
      const keys = shuffled(random, config.keys).slice(0, 1 + Math.floor(random() * 2));
      return { config, keys };
    });
}

/** Every fault ROUNDS times, single-replica faults first, then those of an HA pair, with quiet bursts mixed in until CHANGES writes. */
function plan(random: Random, pool: readonly FleetConfig[]): { single: Burst[]; ha: Burst[] } {
  const segment = (faults: readonly Fault[], target: number): Burst[] => {
    const slots: (Fault | undefined)[] = shuffled(random, Array.from({ length: ROUNDS }, () => faults).flat());
    const bursts = slots.map((fault) => ({ writes: burstWrites(random, pool), fault }));
    let writes = bursts.reduce((n, b) => n + b.writes.length, 0);
    while (writes < target) {
      const quiet = { writes: burstWrites(random, pool), fault: undefined };
      bursts.splice(Math.floor(random() * (bursts.length + 1)), 0, quiet);
      writes += quiet.writes.length;
    }
    return bursts;
  };
  return { single: segment(SINGLE_FAULTS, Math.ceil(CHANGES * 0.6)), ha: segment(HA_FAULTS, Math.ceil(CHANGES * 0.4)) };
}

class FaultRun {
  readonly #t: TestContext;
  /** Held from the start: testCluster() refuses a cluster whose API server is down. */
  readonly #cluster: LocalCluster;
  readonly #c: Clients;
  readonly #api: Promise<ApiClient>;
  readonly #ns: string;
  readonly #random: Random;
  readonly #tracked: Tracked[] = [];
  /** The pod template each Deployment was created with, by workload key. */
  readonly #firstTemplates = new Map<string, string>();
  /** Every controller process of the run, for the failure report. */
  readonly #processes: ControllerProcess[] = [];
  #replicas: ControllerReplicas | undefined;
  #value = 0;
  #pokes = 0;
  #burst = 0;
  changes = 0;
  readonly faults = new Map<string, number>();
  conflicts = 0;
  exits = 0;
  stuckOnStop = 0;
  /** Workloads created during the run whose first write got a 409. */
  adoptionConflicts = 0;

  constructor(t: TestContext, cluster: LocalCluster, c: Clients, ns: string, random: Random) {
    this.#t = t;
    this.#cluster = cluster;
    this.#c = c;
    this.#api = apiClient(c);
    this.#ns = ns;
    this.#random = random;
  }

  get tracked(): readonly Tracked[] {
    return this.#tracked;
  }

  async createFleet(pool: readonly FleetConfig[]): Promise<void> {
    for (const config of pool) await createFleetConfig(this.#c, this.#ns, config, this.#nextValue());
    const optIns: readonly OptIn[] = ['auto', 'named', 'label'];
    for (let i = 0; i < WORKLOADS; i++) {
      const kind: FleetWorkloadKind = i % 8 === 6 ? 'StatefulSet' : i % 8 === 7 ? 'DaemonSet' : 'Deployment';
      const { workload, podSpec } = fleetWorkload(this.#random, kind, `w-${i}`, optIns[i % 3] ?? 'auto', pool);
      await createFleetWorkload(this.#c, this.#ns, workload, podSpec, this.#firstTemplates);
      this.#tracked.push({ workload, expected: 0, missing: 0, history: [] });
    }
    await eventually('every workload to have its first revision', async () => {
      const counts = await rolloutsByWorkload(this.#c, this.#ns, this.#firstTemplates);
      return this.#tracked.every((w) => counts.get(workloadKey(w.workload)) === 0) ? true : undefined;
    });
  }

  /** Starts the controller (one replica, or an HA pair) and waits until it synced and leads. */
  async startControllers(ha: boolean): Promise<void> {
    // A workload here rolls once per burst it sees, more often than the restart-loop breaker allows by default
    // (5 in 10m): the breaker is off, as exactly-once is what this test counts (roll-loop.test.ts tests the breaker).
    const extra = [`--debounce=${DEBOUNCE_MS / 1000}s`, '--max-rolls-per-workload=0'];
    const argLists = ha
      ? ['replica-a', 'replica-b'].map((name) => controllerArgs(this.#ns, [...extra, ...haReplica(this.#ns, name)]))
      : [controllerArgs(this.#ns, extra)];
    const replicas = new ControllerReplicas(argLists);
    this.#replicas = replicas;
    this.#processes.push(...replicas.processes);
    this.#t.after(async () => {
      await replicas.stop();
    });
    await replicas.start();
  }

  /** Waits until the controller adopted every workload that follows a config: only then does a change count for it. */
  async adopted(): Promise<void> {
    const leader = await this.#requireReplicas().leader();
    for (const w of this.#tracked) {
      if (followsAnything(w.workload)) await leader.decided(this.#qualified(w.workload), 'adopted');
    }
  }

  async stopControllers(): Promise<void> {
    const replicas = this.#requireReplicas();
    await replicas.stop();
    this.conflicts += replicas.linesStartingWith('write conflicted');
    this.exits += replicas.exits;
    this.stuckOnStop += replicas.stuckOnStop;
    this.#replicas = undefined;
  }

  /** The controller's last log lines about one workload, from every replica of the run, for a failure report. */
  linesAbout(w: FleetWorkload, count = 12): string[] {
    const key = this.#qualified(w);
    return this.#processes
      .flatMap((p) => p.lines.filter((l) => l.workload === key))
      .sort((a, b) => String(a['time']).localeCompare(String(b['time'])))
      .slice(-count)
      .map(({ level, time, workload, ...rest }) => `${String(time)} ${JSON.stringify(rest)}`);
  }

  async run(burst: Burst): Promise<void> {
    const started = Date.now();
    this.#burst++;
    const replicas = this.#requireReplicas();
    const leader = await replicas.leader();
    const mark = leader.mark();
    const early = burst.fault === 'adoption-race' ? await this.#adoptionRace(leader, mark) : [];
    const writes = burst.writes;

    if (burst.fault === 'controller-kill-while-writing') {
      const half = Math.ceil(writes.length / 2);
      await this.#write(writes.slice(0, half));
      const release = replicas.holdRestarts();
      await leader.kill();
      await this.#write(writes.slice(half));
      release();
    } else {
      await this.#write(writes);
    }
    const seeing = this.#tracked.filter((w) => [...early, ...writes].some((write) => sees(w.workload, write)));
    // Around the end of the debounce, when the controller writes.
    const racing = this.#race(
      [...seeing, ...shuffled(this.#random, this.#tracked).slice(0, 3)].map((w) => w.workload),
      DEBOUNCE_MS - 300,
      5,
      120,
    );

    switch (burst.fault) {
      case 'controller-kill-at-first-roll':
      case 'leader-kill-at-first-roll':
        if (seeing.length > 0)
          await leader.waitFor('a roll', (l) => l.msg === 'rolled', mark, 3 * DEBOUNCE_MS + 20_000);
        await leader.kill();
        break;
      case 'leader-kill-in-debounce':
        await leader.kill();
        break;
      // Not before the watch had time to bring the controller every write of the
      // burst: one held back by the fault would split the burst into two rolls.
      case 'apiserver-sigstop':
        await sleep(WATCH_SETTLE_MS + Math.random() * (DEBOUNCE_MS - WATCH_SETTLE_MS));
        this.#cluster.pauseComponent('kube-apiserver');
        await sleep(3000 + Math.random() * 3000);
        this.#cluster.resumeComponent('kube-apiserver');
        break;
      case 'apiserver-restart':
        await sleep(WATCH_SETTLE_MS + Math.random() * (DEBOUNCE_MS - WATCH_SETTLE_MS));
        await this.#cluster.stopComponent('kube-apiserver');
        await sleep(1000);
        await this.#cluster.startComponent('kube-apiserver');
        break;
      default:
    }
    if (burst.fault !== undefined) this.faults.set(burst.fault, (this.faults.get(burst.fault) ?? 0) + 1);
    for (const w of seeing) w.expected++;
    await racing;
    const label = `#${this.#burst}${burst.fault === undefined ? '' : `(${burst.fault})`}`;
    await this.#converge(label, new Set(seeing));
    this.#t.diagnostic(
      `burst ${label}: ${early.length + writes.length} writes, seen by ${seeing.length} workloads, settled after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  /** Waits until every workload shows its expected rollouts, so the next burst starts after the controller finished this one. */
  async #converge(label: string, seeing: ReadonlySet<Tracked>): Promise<void> {
    let counts = new Map<string, number>();
    const short = (): Tracked[] =>
      this.#tracked.filter((w) => (counts.get(workloadKey(w.workload)) ?? 0) < w.expected - w.missing);
    try {
      await eventually(
        `burst ${label} to roll what it should`,
        async () => {
          counts = await rolloutsByWorkload(this.#c, this.#ns, this.#firstTemplates);
          return short().length === 0 ? true : undefined;
        },
        CONVERGE_TIMEOUT_MS,
      );
    } catch {
      for (const w of short()) w.missing = w.expected - (counts.get(workloadKey(w.workload)) ?? 0);
    }
    for (const w of this.#tracked) {
      w.history.push(`${seeing.has(w) ? `seen ${label}` : label} -> ${counts.get(workloadKey(w.workload)) ?? 0}`);
    }
  }

  /** Settles, then restarts the controller as one plain replica; returns the rollouts counted before and after. */
  async finalRestart(): Promise<{
    before: Map<string, number>;
    after: Map<string, number>;
    rolledAfterRestart: number;
  }> {
    await sleep(3 * DEBOUNCE_MS);
    const before = await rolloutsByWorkload(this.#c, this.#ns, this.#firstTemplates);
    await this.stopControllers();
    await this.startControllers(false);
    const leader = await this.#requireReplicas().leader();
    await leader.waitFor('the start-up pass', (l) => l.msg.startsWith('checking every workload'));
    await sleep(3 * DEBOUNCE_MS);
    const after = await rolloutsByWorkload(this.#c, this.#ns, this.#firstTemplates);
    return { before, after, rolledAfterRestart: this.#requireReplicas().linesStartingWith('rolled') };
  }

  /**
   * Item 9's window: workloads created while the controller runs, with label
   * writes racing their first write so that it gets a 409. Each one's
   * ConfigMap changes as soon as the controller has logged its first
   * decision about it (that 409, or its adoption): after first sight, so it
   * must roll once. Returns the writes made.
   */
  async #adoptionRace(leader: ControllerProcess, mark: number): Promise<ConfigWrite[]> {
    const writes: ConfigWrite[] = [];
    const racing: Promise<void>[] = [];
    for (let i = 0; i < LATE_WORKLOADS; i++) {
      const name = `late-${this.#burst}-${i}`;
      const config: FleetConfig = { kind: 'ConfigMap', name, keys: ['a'], enabled: false };
      await createConfigMap(this.#c, this.#ns, name, { a: this.#nextValue() });
      const workload: FleetWorkload = {
        kind: 'Deployment',
        name,
        optIn: 'auto',
        uses: [{ config, keys: 'all' }],
        named: new Set(),
        shape: `auto envFrom:ConfigMap/${name}, created during the run`,
      };
      await createFleetWorkload(
        this.#c,
        this.#ns,
        workload,
        { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: [{ configMapRef: { name } }] }] },
        this.#firstTemplates,
      );
      racing.push(this.#race([workload], 0, 60, 15));
      const first = await leader.waitFor(
        `a first look at ${name}`,
        (l) => l.workload === this.#qualified(workload),
        mark,
      );
      if (first.msg.startsWith('write conflicted')) this.adoptionConflicts++;
      const write = { config, keys: ['a'] };
      await this.#write([write]);
      writes.push(write);
      this.#tracked.push({
        workload,
        expected: 0,
        missing: 0,
        history: this.#tracked[0]?.history.map(() => '(not yet created)') ?? [],
      });
    }
    await Promise.all(racing);
    return writes;
  }

  /**
   * Label and annotation writes on these workloads, `count` of them each,
   * about `intervalMs` apart from `startMs` on, racing the controller's
   * writes so that those get 409s.
   */
  async #race(workloads: readonly FleetWorkload[], startMs: number, count: number, intervalMs: number): Promise<void> {
    await Promise.all(
      workloads.map(async (w) => {
        // From 0, the first write follows the creation at once, ahead of the controller's first write.
        if (startMs > 0) await sleep(startMs + Math.random() * intervalMs);
        for (let n = 0; n < count; n++) {
          const stamp = String(++this.#pokes);
          const metadata =
            n % 2 === 0 ? { annotations: { 'faults.test/poke': stamp } } : { labels: { 'faults.test/poke': stamp } };
          const path = `/apis/apps/v1/namespaces/${this.#ns}/${w.kind.toLowerCase()}s/${w.name}`;
          // A poke that fails (API server stopped) is just one poke fewer.
          await (
            await this.#api
          )
            .json({ method: 'PATCH', path, contentType: 'application/merge-patch+json', body: { metadata } })
            .catch(() => undefined);
          await sleep(intervalMs * (0.5 + Math.random()));
        }
      }),
    );
  }

  /** All writes at once, one per config; a write the API server failed is retried (it is idempotent). */
  async #write(writes: readonly ConfigWrite[]): Promise<void> {
    await Promise.all(
      writes.map(async ({ config, keys }) => {
        const value = this.#nextValue();
        const data = Object.fromEntries(keys.map((k) => [k, value]));
        await eventually(`the write to ${config.kind}/${config.name}`, async () => {
          if (config.kind === 'Secret') await updateSecret(this.#c, this.#ns, config.name, data);
          else if (keys.length === 0)
            await updateConfigMap(this.#c, this.#ns, config.name, {}, { 'faults.test/touched': value });
          else await updateConfigMap(this.#c, this.#ns, config.name, data);
          return true;
        });
        this.changes++;
      }),
    );
  }

  #qualified(w: FleetWorkload): string {
    return `${w.kind}/${this.#ns}/${w.name}`;
  }

  #nextValue(): string {
    this.#value++;
    return `v${this.#value}`;
  }

  #requireReplicas(): ControllerReplicas {
    if (this.#replicas === undefined) throw new Error('no controller is running');
    return this.#replicas;
  }
}

test(
  `fault injection: every workload rolls exactly once per burst it sees, under controller kills, API server stops, leader kills and 409s (${LONG ? 'long' : 'short'} run)`,
  { timeout: LONG ? 3_600_000 : 900_000 },
  async (t) => {
    const started = Date.now();
    // The files after this one need the API server back, whatever failed here.
    const cluster = testCluster();
    t.after(async () => {
      cluster.resumeComponent('kube-apiserver');
      // Caught, so that the hooks after this one still stop the controllers; the next file then fails on the missing API server.
      await cluster.startComponent('kube-apiserver').catch((err: unknown) => {
        t.diagnostic(`kube-apiserver did not start again: ${String(err)}`);
      });
    });
    const c = clients(cluster);
    const ns = await testNamespace(t, c);
    const random = seededRandom(SEED);
    const pool = fleetConfigs(LONG ? 8 : 6, LONG ? 4 : 3);
    const run = new FaultRun(t, cluster, c, ns, random);
    const { single, ha } = plan(random, pool);

    await run.createFleet(pool);
    await run.startControllers(false);
    await run.adopted();
    for (const burst of single) await run.run(burst);
    await run.stopControllers();
    await run.startControllers(true);
    for (const burst of ha) await run.run(burst);
    const { before, after, rolledAfterRestart } = await run.finalRestart();

    const faults = [...run.faults].map(([k, v]) => `${k}×${v}`).join(', ');
    t.diagnostic(
      `seed ${SEED}: ${run.changes} config writes in ${single.length + ha.length} bursts over ${run.tracked.length} workloads; faults: ${faults}; 409s the controller retried: ${run.conflicts}, of them on the first write of a workload created during the run: ${run.adoptionConflicts}; controller exits: ${run.exits}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );

    const wrong = run.tracked.filter(
      (w) =>
        (after.get(workloadKey(w.workload)) ?? 0) !== w.expected ||
        before.get(workloadKey(w.workload)) !== after.get(workloadKey(w.workload)),
    );
    const report = wrong.map((w) => {
      const key = workloadKey(w.workload);
      const seen = `saw ${before.get(key) ?? 0} before the final restart and ${after.get(key) ?? 0} after it`;
      return `${key} [${w.workload.shape}]: expected ${w.expected} rollouts, ${seen}\n    after each burst: ${w.history.join(', ')}\n    the controller's last lines about it:\n      ${run.linesAbout(w.workload).join('\n      ')}`;
    });
    assert.equal(
      wrong.length,
      0,
      `seed ${SEED}: ${wrong.length} of ${run.tracked.length} workloads did not roll exactly once per burst they saw:\n${report.join('\n')}`,
    );
    assert.equal(rolledAfterRestart, 0, 'the final restart rolled nothing');
    assert.equal(run.stuckOnStop, 0, 'every SIGTERMed controller exited within 30 s');
    assert.ok(run.changes >= CHANGES, `at least ${CHANGES} config writes (${run.changes})`);
    assert.ok(run.conflicts > 0, 'the concurrent label writes made the controller retry 409s');
  },
);
