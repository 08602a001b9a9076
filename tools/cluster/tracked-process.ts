import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A process recorded by pid AND kernel start time, so a later run that finds a
 * stale record never signals an unrelated process that reused the pid.
 */
export interface TrackedProcess {
  readonly pid: number;
  readonly startTime: string;
}

function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counts from after the parenthesised command name,
    // which may itself contain spaces.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[19];
  } catch {
    return undefined;
  }
}

/** Starts a command in its own process group, detached, with output appended to logFile. */
export function spawnTracked(
  command: string,
  args: readonly string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): TrackedProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return { pid, startTime: procStartTime(pid) ?? '' };
  } finally {
    closeSync(fd);
  }
}

export function isRunning(proc: TrackedProcess): boolean {
  const now = procStartTime(proc.pid);
  if (now === undefined) return false;
  // A zombie has exited; it only waits to be reaped by its parent.
  try {
    if (/\) Z /.test(readFileSync(`/proc/${proc.pid}/stat`, 'utf8'))) return false;
  } catch {
    return false;
  }
  return proc.startTime === '' || now === proc.startTime;
}

/** Sends a signal to the process group, if it still runs. */
export function signalGroup(proc: TrackedProcess, signal: NodeJS.Signals): void {
  if (!isRunning(proc)) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // Already gone between the check and the signal.
  }
}

/** SIGTERM the process group, then SIGKILL it if it has not exited within graceMs. */
export async function stopTracked(proc: TrackedProcess, graceMs = 5000): Promise<void> {
  signalGroup(proc, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(proc) && Date.now() < deadline) await sleep(50);
  if (isRunning(proc)) {
    signalGroup(proc, 'SIGKILL');
    while (isRunning(proc)) await sleep(20);
  }
}
