import type { ConfigKind } from '../model/config-kind.ts';
import { usesText } from './config-uses.ts';
import type { WorkloadExplanation } from './explanation.ts';
import type { LastRoll } from './last-roll.ts';

/** The config asked about: its key names (never values) and whether the controller sees it. */
export interface ConfigSummary {
  readonly kind: ConfigKind;
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
  /** Null when the controller watches it; else why not (then no workload follows it). */
  readonly unwatched: string | null;
}

/** Everything one run of `explain` answers; `-o json` prints it as it is. */
export interface ExplainReport {
  readonly config?: ConfigSummary;
  readonly key?: string;
  readonly workloads: readonly (WorkloadExplanation & {
    readonly lastRoll?: LastRoll | null;
    /** When its record annotation was last written (adopted, rolled or recorded), from `managedFields`; null if unknown. */
    readonly recordWrittenAt?: string | null;
  })[];
  readonly warnings: readonly string[];
}

export function renderJson(report: ExplainReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The readable form: a heading, one row per workload (or per config of the one workload), then the warnings. */
export function renderTable(report: ExplainReport): string {
  const lines: string[] = [];
  const { config, key } = report;
  if (config !== undefined) {
    lines.push(
      `${config.kind} ${config.namespace}/${config.name}: ${config.keys.length === 0 ? 'no keys' : `keys ${config.keys.join(', ')}`}`,
    );
    if (config.unwatched !== null) lines.push(`not watched by the controller: ${config.unwatched}`);
    if (report.workloads.length === 0) lines.push('no workload references it or names it in a reload list');
    else {
      lines.push('');
      lines.push(
        ...table([
          [
            'WORKLOAD',
            'FOLLOWS',
            'RULE',
            'VISIBLE KEYS',
            ...(key === undefined ? [] : [`ROLLS ON ${key}`]),
            'STATUS / WHY NOT',
          ],
          ...report.workloads.map((w) => [
            `${w.kind}/${w.name}`,
            yesNo(w.follows),
            w.rule ?? '-',
            w.visibleKeys.join(','),
            ...(key === undefined ? [] : [yesNo(w.wouldRoll === true)]),
            w.reason ?? w.status,
          ]),
        ]),
      );
    }
  } else {
    for (const w of report.workloads) {
      lines.push(`${w.kind} ${w.namespace}/${w.name}: ${w.status}`);
      if (w.lastRoll !== undefined)
        lines.push(
          `last roll: ${w.lastRoll === null ? 'no Reloaded Event kept' : `${w.lastRoll.at} ${w.lastRoll.message}`}`,
        );
      if (typeof w.recordWrittenAt === 'string')
        lines.push(`record written: ${w.recordWrittenAt} (its last adoption, roll or record update)`);
      if (w.configs.length === 0) {
        lines.push(w.reason ?? 'references no ConfigMap or Secret');
        continue;
      }
      lines.push('');
      lines.push(
        ...table([
          [
            'CONFIG',
            'STATE',
            'FOLLOWS',
            'RULE',
            'VISIBLE KEYS',
            'RECORD',
            ...(key === undefined ? [] : [`ROLLS ON ${key}`]),
            'USES',
            'WHY NOT',
          ],
          ...w.configs.map((c) => [
            `${c.kind}/${c.name}`,
            c.state,
            yesNo(c.follows),
            c.rule ?? '-',
            c.visibleKeys.join(','),
            c.change ?? '-',
            ...(key === undefined ? [] : [yesNo(c.wouldRoll === true)]),
            usesText(c.uses),
            c.reason ?? '',
          ]),
        ]),
      );
      for (const c of w.configs) if (c.note !== null) lines.push(`note: ${c.note}`);
    }
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** Columns padded to their widest cell; the last one is left as it is. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
