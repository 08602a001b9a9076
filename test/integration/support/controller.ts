import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { testCluster } from './cluster.ts';

const cli = path.join(import.meta.dirname, '..', '..', '..', 'src', 'cli.ts');

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** How the source CLI is started: `mini-reloader run` from src/, on this Node, with `nodeArgs` for Node itself. */
export function sourceCli(nodeArgs: readonly string[] = []): readonly string[] {
  return [process.execPath, ...nodeArgs, cli, 'run'];
}

/** How a controller process is launched, beyond its flags. */
export interface Launch {
  /** What runs it; default: the source CLI. */
  readonly command?: readonly string[];
  /** Its working directory (where e.g. Node writes heap snapshots); default: this process's. */
  readonly cwd?: string;
}

/**
 * The real `mini-reloader run` in a child process, with its JSON log kept so
 * a test can wait for what the controller says it decided. `command` is what
 * runs it (the source CLI, or e.g. `podman run <image> run`); the flags follow.
 */
export class ControllerProcess {
  readonly lines: LogLine[] = [];
  readonly #command: readonly string[];
  readonly #cwd: string | undefined;
  readonly #args: readonly string[];
  readonly #env: Readonly<Record<string, string>>;
  #child: ChildProcess | undefined;
  #exit: Promise<number | null> = Promise.resolve(null);
  readonly #waiters = new Set<() => void>();

  constructor(
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
    command: readonly string[] = sourceCli(),
    cwd?: string,
  ) {
    this.#command = command;
    this.#cwd = cwd;
    this.#args = args;
    this.#env = env;
  }

  start(): void {
    const [program = '', ...leading] = this.#command;
    const child = spawn(program, [...leading, ...this.#args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.#env },
      cwd: this.#cwd,
    });
    this.#child = child;
    this.#exit = new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ level: 60, msg: `unparsable log line: ${line}` });
      }
      for (const wake of this.#waiters) wake();
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.lines.push({ level: 50, msg: `stderr: ${line}` });
    });
  }

  /** SIGTERM, and waits for a clean exit. */
  async stop(): Promise<number | null> {
    this.#child?.kill('SIGTERM');
    return this.#exit;
  }

  /** The exit code, once the process ended on its own. */
  async exited(): Promise<number | null> {
    return this.#exit;
  }

  /** Sends `signal` (e.g. the one given to --heapsnapshot-signal). */
  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  /** SIGKILL: no chance to clean up. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exit;
  }

  /** Index of the next log line; pass it to waitFor to look only at what comes after. */
  mark(): number {
    return this.lines.length;
  }

  async waitFor(what: string, match: (line: LogLine) => boolean, from = 0, timeoutMs = 60_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for the controller to log ${what}; its last lines:\n${this.lines
            .slice(-25)
            .map((l) => JSON.stringify(l))
            .join('\n')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
        setTimeout(wake, 250).unref();
      });
    }
  }

  async synced(from = 0): Promise<void> {
    await this.waitFor('caches synced', (l) => l.msg.startsWith('caches synced'), from);
  }

  /** Waits until it reconciled `workload` (Kind/ns/name) to the given outcome message. */
  async decided(workload: string, msgPrefix: string, from = 0): Promise<LogLine> {
    return this.waitFor(
      `"${msgPrefix}" for ${workload}`,
      (l) => l.workload === workload && l.msg.startsWith(msgPrefix),
      from,
    );
  }

  count(workload: string, msgPrefix: string): number {
    return this.lines.filter((l) => l.workload === workload && l.msg.startsWith(msgPrefix)).length;
  }
}

/** The flags tests run the controller with: debug logs, a 1 s debounce, metrics on a free port; `extraArgs` come last and win. */
export function controllerArgs(
  namespace: string | undefined,
  extraArgs: readonly string[] = [],
  kubeconfig = testCluster().kubeconfigPath,
): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    ...(namespace === undefined ? [] : [`--namespaces=${namespace}`]),
    '--metrics-address=127.0.0.1:0',
    '--log-level=debug',
    '--debounce=1s',
    ...extraArgs,
  ];
}

/**
 * Starts a controller, stopped when the test ends. It is scoped to one
 * namespace, or cluster-wide when `namespace` is undefined (then give it a
 * namespace selector, so it leaves other tests' namespaces alone).
 */
export async function startController(
  t: TestContext,
  namespace: string | undefined,
  extraArgs: readonly string[] = [],
  kubeconfig = testCluster().kubeconfigPath,
  env: Readonly<Record<string, string>> = {},
  launch: Launch = {},
): Promise<ControllerProcess> {
  const controller = new ControllerProcess(
    controllerArgs(namespace, extraArgs, kubeconfig),
    env,
    launch.command,
    launch.cwd,
  );
  controller.start();
  t.after(async () => {
    await controller.stop();
  });
  await controller.synced();
  return controller;
}
