import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Memory and CPU of one running process, read from /proc. */
export interface ProcessStats {
  /** VmRSS: resident now. */
  readonly rssMiB: number;
  /** VmHWM: the most it was ever resident. */
  readonly peakRssMiB: number;
  /** utime + stime of every thread since the process started. */
  readonly cpuSeconds: number;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return clockTicks;
}

function statusKiB(status: string, field: string): number {
  const line = status.split('\n').find((l) => l.startsWith(`${field}:`));
  if (line === undefined) throw new Error(`/proc status has no ${field}`);
  return Number(
    line
      .slice(field.length + 1)
      .trim()
      .split(' ')[0],
  );
}

/** Throws when the process is gone. */
export function processStats(pid: number): ProcessStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields 14 and 15 (utime, stime), counted after the parenthesised command name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    rssMiB: statusKiB(status, 'VmRSS') / 1024,
    peakRssMiB: statusKiB(status, 'VmHWM') / 1024,
    cpuSeconds: ticks / ticksPerSecond(),
  };
}
