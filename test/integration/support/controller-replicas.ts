import { setTimeout as sleep } from 'node:timers/promises';
import { ControllerProcess } from './controller.ts';

/** Short Lease timings, so a failover fits in a test; the defaults are 15 s / 10 s / 2 s. */
const FAST_HA = [
  '--enable-ha',
  '--leader-election-lease-duration=4s',
  '--leader-election-renew-deadline=3s',
  '--leader-election-retry-period=500ms',
];

/** The flags of one HA replica named `name`, with its Lease in `namespace`. */
export function haReplica(namespace: string, name: string): string[] {
  return [...FAST_HA, `--pod-name=${name}`, `--pod-namespace=${namespace}`];
}

/** How long a replica that exited stays down before it is started again, as a kubelet's first restart would. */
const RESTART_DELAY_MS = 1000;

/** How long a SIGTERMed replica may take to exit. */
const STOP_GRACE_MS = 30_000;

interface Replica {
  readonly process: ControllerProcess;
  /** Index of its first log line since its latest start. */
  startedAt: number;
  running: boolean;
  exits: number;
}

/**
 * Controller replicas kept running as Kubernetes would: one that exits, of
 * its own accord or SIGKILLed by a test, is started again after a second,
 * unless restarts are held (then once they are released). Stopped together
 * by `stop`.
 */
export class ControllerReplicas {
  readonly #replicas: Replica[];
  readonly #ha: boolean;
  #hold: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #supervisors: Promise<void>[] = [];
  /** Replicas that had to be SIGKILLed because SIGTERM did not end them. */
  stuckOnStop = 0;

  /** One replica per argument list; with more than one, each list must enable HA. */
  constructor(argLists: readonly (readonly string[])[]) {
    this.#replicas = argLists.map((args) => ({
      process: new ControllerProcess(args),
      startedAt: 0,
      running: false,
      exits: 0,
    }));
    this.#ha = argLists.some((args) => args.includes('--enable-ha'));
  }

  /** Starts every replica and waits until each has synced its caches and, with HA, one leads. */
  async start(): Promise<void> {
    for (const r of this.#replicas) {
      this.#launch(r);
      this.#supervisors.push(this.#supervise(r));
    }
    await Promise.all(this.#replicas.map(async (r) => r.process.synced(r.startedAt)));
    if (this.#ha) await this.leader();
  }

  /** SIGTERM to every replica, SIGKILL to one still running after 30 s (counted in `stuckOnStop`); none is started again. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(
      this.#replicas.map(async (r) => {
        const exited = await Promise.race([r.process.stop().then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
        if (!exited) {
          this.stuckOnStop++;
          await r.process.kill();
        }
      }),
    );
    await Promise.all(this.#supervisors);
  }

  /** The replica that reconciles: the one running, or with HA the one that said it leads since its latest start. */
  async leader(timeoutMs = 60_000): Promise<ControllerProcess> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#replicas.find(
        (r) => r.running && (!this.#ha || r.process.lines.slice(r.startedAt).some((l) => l.msg.startsWith('leading'))),
      );
      if (found !== undefined) return found.process;
      if (Date.now() > deadline)
        throw new Error(
          `no controller replica leads after ${timeoutMs} ms; exits so far: ${this.#replicas.map((r) => r.exits).join(', ')}`,
        );
      await sleep(100);
    }
  }

  /** Until the returned function is called, no replica that exits is started again. */
  holdRestarts(): () => void {
    let release = (): void => undefined;
    this.#hold = new Promise((resolve) => {
      release = resolve;
    });
    return release;
  }

  /** Exits of every replica before `stop`, killed or not. */
  get exits(): number {
    return this.#replicas.reduce((sum, r) => sum + r.exits, 0);
  }

  get processes(): readonly ControllerProcess[] {
    return this.#replicas.map((r) => r.process);
  }

  /** Log lines of every replica with this message prefix, e.g. "rolled". */
  linesStartingWith(prefix: string): number {
    return this.#replicas.reduce((sum, r) => sum + r.process.lines.filter((l) => l.msg.startsWith(prefix)).length, 0);
  }

  #launch(r: Replica): void {
    r.startedAt = r.process.mark();
    r.running = true;
    r.process.start();
  }

  async #supervise(r: Replica): Promise<void> {
    for (;;) {
      await r.process.exited();
      r.running = false;
      if (this.#stopped) return;
      r.exits++;
      await sleep(RESTART_DELAY_MS);
      await this.#hold;
      // stop() may have been called during the wait.
      if (!this.#stopping()) this.#launch(r);
    }
  }

  #stopping(): boolean {
    return this.#stopped;
  }
}
