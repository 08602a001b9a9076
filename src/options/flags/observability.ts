import { flag } from '../flag-spec.ts';
import { booleanValue, enabledValue, listenAddress, logFormat, logLevel } from '../values.ts';

/** Metrics, probes, logs and profiles. */
export const OBSERVABILITY_FLAGS = {
  metricsCountByNamespace: flag(
    {
      flag: 'metrics-count-by-namespace',
      env: 'METRICS_COUNT_BY_NAMESPACE',
      value: 'enabled|disabled',
      default: 'disabled',
      group: 'Observability',
      description:
        "Also count rolls per namespace in reloader_reload_executed_total_by_namespace{success,namespace} (Stakater's opt-in).",
    },
    enabledValue,
  ),
  metricsAddress: flag(
    {
      flag: 'metrics-address',
      aliases: ['metrics-addr'],
      value: 'host:port',
      default: ':9090',
      group: 'Observability',
      description:
        'Serves /metrics, /healthz, /live and /readyz; :9090 listens on every interface. Stakater v2 spells it --metrics-addr, also accepted.',
    },
    listenAddress,
  ),
  logFormat: flag(
    {
      flag: 'log-format',
      value: 'json|text',
      default: 'json',
      stakaterDefault: 'text',
      group: 'Observability',
      description:
        "json: one JSON object per line. text: logfmt, like Stakater's default; an empty value also means text, as in Stakater. " +
        'Another value is logged as ignored and the default applies, as in Stakater.',
    },
    logFormat,
  ),
  logLevel: flag(
    {
      flag: 'log-level',
      value: 'level',
      default: 'info',
      group: 'Observability',
      description:
        "trace, debug, info, warn or error (Stakater's warning, fatal and panic also work). debug says why each workload was not rolled. " +
        'Another value is logged as ignored and the default applies, as in Stakater.',
    },
    logLevel,
  ),
  enablePprof: flag(
    {
      flag: 'enable-pprof',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Observability',
      description:
        'Serve a V8 heap snapshot (/debug/pprof/heap) and a CPU profile (/debug/pprof/profile?seconds=N, 1 to 300, default 30) on --pprof-addr, ' +
        'in formats Chrome DevTools opens; one at a time. A heap snapshot holds whatever is in memory, Secret values in flight included: never expose the port.',
    },
    booleanValue,
  ),
  pprofAddr: flag(
    {
      flag: 'pprof-addr',
      value: 'host:port',
      default: ':6060',
      group: 'Observability',
      description: 'Where --enable-pprof serves; 127.0.0.1:6060 keeps it to kubectl port-forward.',
    },
    listenAddress,
  ),
} as const;
