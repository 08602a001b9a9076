import type { RunResult } from './measure-run.ts';
import { NON_ROLLING_EDITS, ROLLING_EDITS, STEADY_AFTER_MS } from './measure-run.ts';
import { FAN_OUT } from './population.ts';
import { byVerb } from './request-counts.ts';
import type { Scale } from './scales.ts';

export interface ScaleResult {
  readonly scale: Scale;
  /** The API server's gitVersion. */
  readonly kubernetes: string;
  /** Creating the scale's objects, before any controller ran. */
  readonly populateSeconds: number;
  readonly runs: readonly RunResult[];
  readonly totalSeconds: number;
}

export interface Report {
  readonly date: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly kernel: string;
  };
  readonly versions: {
    readonly miniReloader: string;
    readonly node: string;
    readonly stakater: string;
    readonly kubernetes: string;
  };
  readonly scales: readonly ScaleResult[];
}

interface Row {
  readonly name: string;
  readonly value: (r: RunResult) => number | undefined;
  readonly digits: number;
  /** Whether ours/Stakater means anything for this row (not for counts that should be 0). */
  readonly ratio: boolean;
}

function requestRow(name: string, phase: 'start' | 'edits', verb: 'list' | 'watch' | 'get' | 'writes'): Row {
  return {
    name,
    value: (r) => {
      const counts = r.requests[phase];
      return counts === undefined ? undefined : byVerb(new Map(Object.entries(counts)))[verb];
    },
    digits: 0,
    ratio: true,
  };
}

const ROWS: readonly Row[] = [
  { name: 'time to synced (s)', value: (r) => r.syncSeconds, digits: 2, ratio: true },
  { name: 'of which until its first log line (s)', value: (r) => r.firstOutputSeconds, digits: 2, ratio: true },
  {
    name: `CPU (s), start to ${STEADY_AFTER_MS / 1000} s after sync`,
    value: (r) => r.steady?.cpuSeconds,
    digits: 2,
    ratio: true,
  },
  {
    name: `RSS steady (MiB), ${STEADY_AFTER_MS / 1000} s after sync`,
    value: (r) => r.steady?.rssMiB,
    digits: 1,
    ratio: true,
  },
  { name: 'RSS peak, VmHWM (MiB)', value: (r) => r.peakRssMiB, digits: 1, ratio: true },
  { name: 'heap (MiB): V8 used / Go allocated', value: (r) => r.steady?.heapMiB, digits: 1, ratio: true },
  { name: 'start window for API counts (s)', value: (r) => r.startWindowSeconds, digits: 0, ratio: false },
  requestRow('API at start: LIST', 'start', 'list'),
  requestRow('API at start: WATCH', 'start', 'watch'),
  requestRow('API at start: GET', 'start', 'get'),
  requestRow('API at start: writes', 'start', 'writes'),
  requestRow('API during edits: LIST', 'edits', 'list'),
  requestRow('API during edits: GET', 'edits', 'get'),
  requestRow('API during edits: writes', 'edits', 'writes'),
  { name: 'reaction latency p50 (s)', value: (r) => r.latency?.p50Seconds, digits: 3, ratio: true },
  { name: 'reaction latency p99 (s)', value: (r) => r.latency?.p99Seconds, digits: 3, ratio: true },
  { name: `${FAN_OUT}-way fan-out, all rolled (s)`, value: (r) => r.fanOut?.seconds, digits: 2, ratio: true },
  {
    name: 'misses',
    value: (r) => (r.latency === undefined ? undefined : r.latency.misses + (r.fanOut?.misses ?? 0)),
    digits: 0,
    ratio: false,
  },
  { name: 'duplicates', value: (r) => r.duplicates, digits: 0, ratio: false },
  { name: 'spurious rollouts', value: (r) => r.spurious, digits: 0, ratio: false },
  { name: 'load average (1 min) at start', value: (r) => r.loadAverage, digits: 2, ratio: false },
  { name: 'run time (s)', value: (r) => r.runSeconds, digits: 0, ratio: false },
];

function cell(value: number | undefined, digits: number): string {
  return value === undefined ? 'n/a' : value.toFixed(digits);
}

function ratio(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined || theirs === undefined || theirs === 0) return '';
  return `${(ours / theirs).toFixed(2)}×`;
}

function scaleTable(s: ScaleResult): string {
  const stakater = s.runs.find((r) => r.contestant === 'stakater');
  const ours = s.runs.filter((r) => r.contestant !== 'stakater');
  const header = ['', ...s.runs.map((r) => r.label), ...ours.map((r) => `${r.label} / Stakater`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of ROWS) {
    const ratios = ours.map((r) =>
      row.ratio && stakater !== undefined ? ratio(row.value(r), row.value(stakater)) : '',
    );
    lines.push(`| ${[row.name, ...s.runs.map((r) => cell(row.value(r), row.digits)), ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}

function requestTable(s: ScaleResult): string {
  const phases = ['start', 'edits', 'fanOut'] as const;
  const lines = [
    `| phase | request | ${s.runs.map((r) => r.label).join(' | ')} |`,
    `|---|---|${s.runs.map(() => '---').join('|')}|`,
  ];
  for (const phase of phases) {
    const keys = [...new Set(s.runs.flatMap((r) => Object.keys(r.requests[phase] ?? {})))].sort();
    for (const key of keys)
      lines.push(`| ${phase} | ${key} | ${s.runs.map((r) => String(r.requests[phase]?.[key] ?? 0)).join(' | ')} |`);
  }
  return lines.join('\n');
}

function describeScale(scale: Scale): string {
  const kib = scale.valueBytes / 1024;
  return `${scale.configMaps.toLocaleString('en')} ConfigMaps + ${scale.secrets.toLocaleString('en')} Secrets of ${kib} KiB, ${scale.deployments.toLocaleString('en')} Deployments, ${scale.namespaces} namespaces`;
}

/** The side-by-side tables in Markdown, with what they were measured on. */
export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const v = report.versions;
  const parts = [
    '## mini-reloader vs Stakater Reloader, side by side',
    '',
    `${report.date}; ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Linux ${m.kernel}. mini-reloader ${v.miniReloader} (\`node dist/cli.js run\`, Node ${v.node}); Stakater Reloader ${v.stakater}; Kubernetes ${v.kubernetes} (local control plane, kwok nodes).`,
    '',
    'Both use the env-vars strategy (Stakater\'s default; mini-reloader `--reload-strategy=env-vars`) and their default client and roll rate limits; every Deployment opts in with `reloader.stakater.com/auto: "true"`. ' +
      'The controllers run one at a time on the same objects, in the order of the columns. ' +
      `Edits: ${ROLLING_EDITS} that must each roll one Deployment (latency: config write to the pod-template change seen by a watch), ${NON_ROLLING_EDITS} to a key the pods do not read and ${NON_ROLLING_EDITS} to labels only, which must roll nothing. ` +
      "API requests are the API server's `apiserver_request_total` over the window (kube-controller-manager's follow-up writes included, the benchmark's own requests excluded); \"at start\" runs from launch until 30 s after sync, every Deployment adopted (mini-reloader's first start) and the cluster quiet again; a WATCH is counted when it ends, so WATCH counts are mostly other clients' reconnects. " +
      "Times count from the process start; Stakater's first log line comes after two discovery GETs (OpenShift, CSI driver). " +
      'CPU figures are noisy when other work shares the machine (see the load average); memory figures much less.',
  ];
  for (const s of report.scales) {
    parts.push('', `### ${s.scale.name}: ${describeScale(s.scale)}`, '', scaleTable(s), '');
    for (const r of s.runs) if (r.error !== undefined) parts.push(`- **${r.label} did not finish:** ${r.error}`);
    const notAdopted = s.runs.filter((r) => r.adoptedBeforeEdits === false);
    for (const r of notAdopted) parts.push(`- ${r.label} had not adopted every Deployment when the edits began.`);
    parts.push(
      '',
      `<details><summary>API requests by verb and resource (${s.scale.name})</summary>`,
      '',
      requestTable(s),
      '',
      '</details>',
      '',
      `Objects created in ${s.populateSeconds.toFixed(0)} s; the whole scale took ${s.totalSeconds.toFixed(0)} s.`,
    );
  }
  return `${parts.join('\n')}\n`;
}
