import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const STOP_GRACE_MS = 10_000;
/** Controllers not yet stopped, so an interrupted benchmark leaves none behind (Stakater's port is fixed). */
const live = new Set<ControllerProcess>();

/** Stops every controller still running. */
export async function stopAllControllers(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

/**
 * One controller under measurement: started directly (no shell or npm in
 * between, so its pid is the one /proc is read for), its output kept in a
 * log file, and its stdout lines handed to `onLine`.
 */
export class ControllerProcess {
  readonly startedAt: number;
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  readonly #exit: Promise<void>;
  #exitCode: number | null | undefined;
  #firstOutputAt: number | undefined;

  constructor(
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    logFile: string,
    onLine: (line: string) => void = () => undefined,
  ) {
    this.#log = createWriteStream(logFile);
    this.startedAt = Date.now();
    this.#child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    this.#exit = new Promise((resolve) => {
      this.#child.once('exit', (code) => {
        this.#exitCode = code;
        resolve();
      });
    });
    const stdout = this.#child.stdout;
    const stderr = this.#child.stderr;
    if (stdout === null || stderr === null) throw new Error(`${command}: no output pipes`);
    stderr.pipe(this.#log, { end: false });
    const firstOutput = (): void => {
      this.#firstOutputAt ??= Date.now();
    };
    stderr.once('data', firstOutput);
    createInterface({ input: stdout }).on('line', (line) => {
      firstOutput();
      this.#log.write(`${line}\n`);
      onLine(line);
    });
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error('the controller did not start');
    return pid;
  }

  /** When it first wrote a line: the runtime and its code are loaded. */
  get firstOutputAt(): number | undefined {
    return this.#firstOutputAt;
  }

  /** Undefined while it runs; its exit code (null when a signal ended it) after. */
  get exitCode(): number | null | undefined {
    return this.#exitCode;
  }

  /** Throws when the process has exited: a measurement of a dead process means nothing. */
  assertRunning(what: string): void {
    if (this.#exitCode !== undefined)
      throw new Error(`${what}: the controller exited with code ${String(this.#exitCode)}`);
  }

  /**
   * Polls `check` until it returns a value, waiting pollMs(time since the
   * first check) in between; throws after timeoutMs or when the process exits.
   */
  async poll<T>(
    what: string,
    check: () => Promise<T | undefined>,
    timeoutMs: number,
    pollMs: (elapsedMs: number) => number,
  ): Promise<T> {
    const begun = Date.now();
    const deadline = begun + timeoutMs;
    for (;;) {
      this.assertRunning(what);
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch {
        // Not serving yet.
      }
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await sleep(pollMs(Date.now() - begun));
    }
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.#exitCode === undefined) {
      this.#child.kill('SIGTERM');
      const killed = setTimeout(() => {
        this.#child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await this.#exit;
      clearTimeout(killed);
    }
    live.delete(this);
    await new Promise<void>((resolve) => {
      this.#log.end(resolve);
    });
  }
}
