import { nodeFs } from '../node-fs.ts';
import { getHeapSpaceStatistics } from 'node:v8';
import { renderFamily, type Collector, type MetricType, type Sample } from './registry.ts';

/** A file under /proc, or undefined where there is none (not Linux) or it cannot be read. */
function readProc(path: string): string | undefined {
  try {
    return nodeFs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Counts the open file descriptors from /proc/self/fd, or undefined without /proc. */
function openFds(): number | undefined {
  try {
    // The directory listing holds a descriptor of its own while it reads.
    return nodeFs.readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

/** A field of /proc/self/status given in kB, in bytes. */
function statusBytes(status: string | undefined, field: string): number | undefined {
  const line = status?.split('\n').find((l) => l.startsWith(`${field}:`));
  const kib = line === undefined ? Number.NaN : Number.parseInt(line.slice(field.length + 1).trim(), 10);
  return Number.isFinite(kib) ? kib * 1024 : undefined;
}

/** The soft limit on open files from /proc/self/limits. */
function maxFds(limits: string | undefined): number | undefined {
  const line = limits?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line === undefined ? Number.NaN : Number.parseInt(line.slice('Max open files'.length).trim(), 10);
  return Number.isFinite(soft) ? soft : undefined;
}

/** How long a callback queued now waits for the event loop, in seconds. */
async function eventLoopLag(): Promise<number> {
  const start = process.hrtime.bigint();
  await new Promise((resolve) => setImmediate(resolve));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * The process and Node.js metrics that dashboards for Node services read,
 * under the names the Prometheus clients give them: CPU, memory, file
 * descriptors, start time, heap, event loop lag and the Node version. Every
 * value is read when scraped; nothing runs between scrapes. Those that need
 * /proc are left out where it does not exist.
 */
export function processMetrics(): Collector {
  const startSeconds = Math.round(performance.timeOrigin / 1000);
  const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
  return {
    render: async () => {
      const lag = await eventLoopLag();
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      const status = readProc('/proc/self/status');
      const families: [
        name: string,
        help: string,
        type: MetricType,
        samples: readonly Sample[] | number | undefined,
      ][] = [
        ['process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', 'counter', cpu.user / 1e6],
        ['process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', 'counter', cpu.system / 1e6],
        [
          'process_cpu_seconds_total',
          'Total user and system CPU time spent in seconds.',
          'counter',
          (cpu.user + cpu.system) / 1e6,
        ],
        ['process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 'gauge', startSeconds],
        [
          'process_resident_memory_bytes',
          'Resident memory size in bytes.',
          'gauge',
          statusBytes(status, 'VmRSS') ?? memory.rss,
        ],
        ['process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'gauge', statusBytes(status, 'VmSize')],
        ['process_heap_bytes', 'Process heap size in bytes.', 'gauge', statusBytes(status, 'VmData')],
        ['process_open_fds', 'Number of open file descriptors.', 'gauge', openFds()],
        ['process_max_fds', 'Maximum number of open file descriptors.', 'gauge', maxFds(readProc('/proc/self/limits'))],
        ['nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', 'gauge', lag],
        ...activeResources(),
        ['nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', 'gauge', memory.heapTotal],
        ['nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', 'gauge', memory.heapUsed],
        ['nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', 'gauge', memory.external],
        ...heapSpaces(),
        [
          'nodejs_version_info',
          'Node.js version info.',
          'gauge',
          [{ labels: { version: process.version, major, minor, patch }, value: 1 }],
        ],
      ];
      return families
        .filter(([, , , samples]) => samples !== undefined)
        .map(([name, help, type, samples]) =>
          renderFamily(name, help, type, typeof samples === 'number' ? [{ value: samples }] : (samples ?? [])),
        );
    },
  };
}

function activeResources(): [string, string, MetricType, Sample[]][] {
  const byType = new Map<string, number>();
  const resources = process.getActiveResourcesInfo();
  for (const type of resources) byType.set(type, (byType.get(type) ?? 0) + 1);
  return [
    [
      'nodejs_active_resources',
      'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
      'gauge',
      [...byType].map(([type, value]) => ({ labels: { type }, value })),
    ],
    ['nodejs_active_resources_total', 'Total number of active resources.', 'gauge', [{ value: resources.length }]],
  ];
}

function heapSpaces(): [string, string, MetricType, Sample[]][] {
  const spaces = getHeapSpaceStatistics().map((s) => ({ ...s, space: s.space_name.replace(/_space$/, '') }));
  return [
    [
      'nodejs_heap_space_size_total_bytes',
      'Process heap space size total from Node.js in bytes.',
      'gauge',
      spaces.map((s) => ({ labels: { space: s.space }, value: s.space_size })),
    ],
    [
      'nodejs_heap_space_size_used_bytes',
      'Process heap space size used from Node.js in bytes.',
      'gauge',
      spaces.map((s) => ({ labels: { space: s.space }, value: s.space_used_size })),
    ],
    [
      'nodejs_heap_space_size_available_bytes',
      'Process heap space size available from Node.js in bytes.',
      'gauge',
      spaces.map((s) => ({ labels: { space: s.space }, value: s.space_available_size })),
    ],
  ];
}
