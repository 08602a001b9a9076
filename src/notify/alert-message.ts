import { keyChangesText } from '../config/data-change.ts';
import type { ChangedConfig } from '../reload/changed-config.ts';
import type { RollNotice } from '../reload/roll-messages.ts';
import type { HaltNotice } from '../reload/wave-halts.ts';

/** Stakater Reloader's ALERT_SINK values; `webhook` is its name for raw, and its default. */
export const ALERT_SINKS = ['slack', 'teams', 'gchat', 'raw', 'webhook'] as const;
export type AlertSink = (typeof ALERT_SINKS)[number];

/** The configs an alert names: those that changed, or every one followed when the roll names none. */
function alertConfigs(notice: RollNotice): RollNotice['changed'] {
  return notice.changed.length === 0 ? notice.follows : notice.changed;
}

/**
 * The alert's text, in Stakater's shape (receivers may match on it), but
 * naming every config that changed: `*` marks what chat sinks show bold.
 */
export function alertText(notice: RollNotice, additionalInfo: string | undefined): string {
  const { kind, namespace, name } = notice.workload;
  const configs = alertConfigs(notice)
    .map((c) => `*${c.name}* of type *${c.kind}*${changeDetail(c)}`)
    .join(', ');
  const text = `mini-reloader detected changes in ${configs} in namespace *${namespace}*. Hence rolled *${name}* of type *${kind}*`;
  return additionalInfo === undefined ? text : `${additionalInfo} : ${text}`;
}

/** The alert for a halted rollout in waves. */
export function haltAlertText(halt: HaltNotice, additionalInfo: string | undefined): string {
  const { kind, namespace, name } = halt.config;
  const text = `mini-reloader halted the rollout of *${name}* of type *${kind}* in namespace *${namespace}*: ${halt.text}`;
  return additionalInfo === undefined ? text : `${additionalInfo} : ${text}`;
}

/** The raw sink's body for a halt under --alert-structured: `event: "halt"`, the config as `resource*`, and the text. */
export function structuredHaltBody(
  halt: HaltNotice,
  additionalInfo: string | undefined,
  at: Date,
): { contentType: string; text: string } {
  const { kind, namespace, name } = halt.config;
  return json({
    event: 'halt',
    resourceKind: kind,
    resourceName: name,
    resourceNamespace: namespace,
    timestamp: `${at.toISOString().slice(0, 19)}Z`,
    ...(additionalInfo === undefined || additionalInfo === '' ? {} : { additional: additionalInfo }),
    message: halt.text,
  });
}

/** ` (keys A, B changed, by kubectl-edit)`: the key names and writer of a change, never a value; '' when unknown. */
function changeDetail(config: ChangedConfig): string {
  const parts = [
    ...(config.keys === undefined ? [] : [keyChangesText(config.keys)]),
    ...(config.manager === undefined ? [] : [`by ${config.manager}`]),
    ...(config.owner === undefined ? [] : [`owned by ${config.owner}`]),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** The request body each sink expects for one alert. */
export function alertBody(sink: AlertSink, text: string): { contentType: string; text: string } {
  switch (sink) {
    case 'slack':
      return json({ attachments: [{ text, color: 'good', author_name: 'mini-reloader' }] });
    case 'teams':
    case 'gchat':
      return json({ text });
    case 'raw':
    case 'webhook':
      return { contentType: 'text/plain; charset=utf-8', text: text.replaceAll('*', '') };
  }
}

/**
 * The raw sink's body under --alert-structured: Stakater v2's JSON object
 * (`event`, the workload, the config as `resource*`, an RFC 3339 `timestamp`,
 * `additional` when set), whose `resource*` fields name the first config
 * that changed, since Stakater alerts once per config; `resources` lists
 * every one, as one roll here may answer several changes, with the key
 * names (`keys`), field manager (`manager`) and owner of its change where
 * known.
 */
export function structuredAlertBody(
  notice: RollNotice,
  additionalInfo: string | undefined,
  at: Date,
): { contentType: string; text: string } {
  const { kind, namespace, name } = notice.workload;
  const configs = alertConfigs(notice);
  return json({
    event: 'reload',
    workloadKind: kind,
    workloadName: name,
    workloadNamespace: namespace,
    resourceKind: configs[0]?.kind ?? '',
    resourceName: configs[0]?.name ?? '',
    resourceNamespace: namespace,
    // Go's RFC 3339 layout, as Stakater writes it: whole seconds.
    timestamp: `${at.toISOString().slice(0, 19)}Z`,
    ...(additionalInfo === undefined || additionalInfo === '' ? {} : { additional: additionalInfo }),
    resources: configs.map(({ kind: configKind, name: configName, ...change }) => ({
      kind: configKind,
      name: configName,
      namespace,
      ...change,
    })),
  });
}

function json(body: unknown): { contentType: string; text: string } {
  return { contentType: 'application/json', text: JSON.stringify(body) };
}
