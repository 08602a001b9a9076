import type { RollNotice } from '../reload/reconciler.ts';

/** Stakater Reloader's ALERT_SINK values; `webhook` is its name for raw, and its default. */
export const ALERT_SINKS = ['slack', 'teams', 'gchat', 'raw', 'webhook'] as const;
export type AlertSink = (typeof ALERT_SINKS)[number];

/**
 * The alert's text, in Stakater's shape (receivers may match on it), but
 * naming every config that changed: `*` marks what chat sinks show bold.
 */
export function alertText(notice: RollNotice, additionalInfo: string | undefined): string {
  const { kind, namespace, name } = notice.workload;
  const changed = notice.changed.length === 0 ? notice.follows : notice.changed;
  const configs = changed.map((c) => `*${c.name}* of type *${c.kind}*`).join(', ');
  const text = `mini-reloader detected changes in ${configs} in namespace *${namespace}*. Hence rolled *${name}* of type *${kind}*`;
  return additionalInfo === undefined ? text : `${additionalInfo} : ${text}`;
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

function json(body: unknown): { contentType: string; text: string } {
  return { contentType: 'application/json', text: JSON.stringify(body) };
}
