import { flag, optionalFlag } from '../flag-spec.ts';
import { alertSink, booleanValue, httpUrl, optionalText } from '../values.ts';

/** The messages sent after each roll. */
export const ALERT_FLAGS = {
  alertOnReload: flag(
    {
      flag: 'alert-on-reload',
      env: 'ALERT_ON_RELOAD',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Alerts',
      description:
        'After each roll, send a message naming the workload, its kind, its namespace and the configs that changed. Sent in the background: a slow or failing receiver never delays a roll; a failed send is logged and counted in mini_reloader_alerts_total{result}.',
    },
    booleanValue,
  ),
  alertSink: flag(
    {
      flag: 'alert-sink',
      env: 'ALERT_SINK',
      value: 'slack|teams|gchat|raw',
      default: 'raw',
      group: 'Alerts',
      description:
        'The receiver\'s format: slack (attachment), teams and gchat ({"text"}), raw (the text as text/plain; Stakater\'s "webhook" means the same).',
    },
    alertSink,
  ),
  alertWebhookUrl: optionalFlag(
    {
      flag: 'alert-webhook-url',
      env: 'ALERT_WEBHOOK_URL',
      value: 'url',
      group: 'Alerts',
      description:
        'Where alerts are POSTed; needed with --alert-on-reload. Keep it in a Secret: chat webhook URLs are credentials.',
    },
    httpUrl,
  ),
  alertAdditionalInfo: optionalFlag(
    {
      flag: 'alert-additional-info',
      env: 'ALERT_ADDITIONAL_INFO',
      value: 'text',
      group: 'Alerts',
      description: "Put in front of every alert, e.g. the cluster's name.",
    },
    optionalText,
  ),
  alertProxy: optionalFlag(
    {
      flag: 'alert-proxy',
      env: 'ALERT_WEBHOOK_PROXY',
      value: 'url',
      group: 'Alerts',
      description: "HTTP proxy for the alert receiver only (Stakater's ALERT_WEBHOOK_PROXY).",
    },
    httpUrl,
  ),
  alertStructured: flag(
    {
      flag: 'alert-structured',
      env: 'ALERT_STRUCTURED',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Alerts',
      description:
        'Raw sink only (Stakater v2\'s flag): POST a JSON object instead of text: event "reload", workloadKind, workloadName, workloadNamespace, ' +
        'resourceKind, resourceName, resourceNamespace (the first config that changed), timestamp (RFC 3339), additional (when set), and resources (every config that changed).',
    },
    booleanValue,
  ),
} as const;
