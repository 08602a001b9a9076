import { flag, optionalFlag } from '../flag-spec.ts';
import { qualifiedName } from '../kubernetes-names.ts';
import {
  booleanValue,
  duration,
  durationBetween,
  fieldManager,
  httpUrl,
  integer,
  maintenanceWindows,
  positiveNumber,
  reloadStrategy,
  rolloutWaves,
} from '../values.ts';

/** The Rolling group, first part: when a roll happens, at what pace, and how it marks the pod template. */
export const ROLLING_FLAGS = {
  debounce: flag(
    {
      flag: 'debounce',
      value: 'duration',
      default: '2s',
      group: 'Rolling',
      description: 'Gather config changes that land within this window into one rollout. 0 turns it off; at most 1h.',
    },
    duration(3_600_000, '1h'),
  ),
  dryRun: flag(
    {
      flag: 'dry-run',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description: 'Decide and log what would roll, and record WouldReload Events, but change no workload.',
    },
    booleanValue,
  ),
  maintenanceWindow: flag(
    {
      flag: 'maintenance-window',
      value: 'windows',
      default: '',
      group: 'Rolling',
      description:
        'Weekly windows for every workload, such as "Mon-Fri 02:00-04:00 Europe/Berlin, Sat 00:00-06:00 UTC" (days, HH:MM-HH:MM, a time zone; UTC when left out). ' +
        'Outside them rolls wait, and roll once with the newest data when a window opens. A maintenance-window annotation on a workload, else on its Namespace, overrides it. Empty: always.',
    },
    maintenanceWindows,
  ),
  rolloutWaves: flag(
    {
      flag: 'rollout-waves',
      value: 'plan',
      default: '',
      group: 'Rolling',
      description:
        'The wave plan of every config without a rollout-waves annotation: a comma list of cumulative counts or percentages of its followers, such as "1,10%,50%,100%". ' +
        'Canaries roll first; each wave waits until the one before is healthy, and a wave that fails halts the rest. Empty: no waves.',
    },
    rolloutWaves,
  ),
  waveTimeout: flag(
    {
      flag: 'wave-timeout',
      value: 'duration',
      default: '10m',
      group: 'Rolling',
      description:
        "How long a wave may take to become healthy after its last roll before the rollout halts (1s to 24h). A config's wave-timeout annotation overrides it.",
    },
    durationBetween(1000, 86_400_000, '1s', '24h'),
  ),
  fieldManager: flag(
    {
      flag: 'field-manager',
      value: 'name',
      default: 'mini-reloader',
      group: 'Rolling',
      description:
        'Server-side apply field manager of every write (1-128 characters); GitOps tools can be told to ignore its fields.',
    },
    fieldManager,
  ),
  workers: flag(
    {
      flag: 'workers',
      value: 'n',
      default: '4',
      group: 'Rolling',
      description: 'Workloads reconciled in parallel (1-64).',
    },
    integer(1, 64),
  ),
  maxRollsPerSecond: flag(
    {
      flag: 'max-rolls-per-second',
      value: 'rate',
      default: '10',
      group: 'Rolling',
      description:
        'Rollouts started per second at most (above 0), so a config shared by thousands of workloads does not restart them all at once.',
    },
    positiveNumber,
  ),
  maxRollsBurst: flag(
    {
      flag: 'max-rolls-burst',
      value: 'n',
      default: '50',
      group: 'Rolling',
      description: 'Rollouts that may start at once before --max-rolls-per-second applies (1 or more).',
    },
    integer(1),
  ),
  adoptionWritesPerSecond: flag(
    {
      flag: 'adoption-writes-per-second',
      value: 'rate',
      default: '20',
      group: 'Rolling',
      description:
        "Adoption writes (the record on a workload seen for the first time: at a first start, every workload followed) per second at most (above 0), with bursts of one second's worth. Rolls have their own limit.",
    },
    positiveNumber,
  ),
  enabledLabel: flag(
    {
      flag: 'enabled-label',
      value: 'label',
      default: 'mini-reloader.pelabs/enabled',
      group: 'Rolling',
      description:
        'Label that opts a ConfigMap or Secret in (value "true"): the workloads that reference it roll when it changes.',
    },
    qualifiedName('label name'),
  ),
  hashAnnotation: flag(
    {
      flag: 'hash-annotation',
      value: 'annotation',
      default: 'mini-reloader.pelabs/config-hash',
      group: 'Rolling',
      description:
        'Pod-template annotation that holds the hash of the configs a workload sees (--reload-strategy hash); "<annotation>-record" on the workload records, per config, what its pods see.',
    },
    // The record annotation is this name and "-record" (7 characters), and a name part holds at most 63.
    qualifiedName('annotation name', 56, ', and "-record" must still fit in 63'),
  ),
  reloadStrategy: flag(
    {
      flag: 'reload-strategy',
      value: 'hash|env-vars|annotations',
      default: 'hash',
      stakaterDefault: 'env-vars',
      group: 'Rolling',
      description:
        "How a roll changes the pod template. hash: one annotation with the hash of every config followed. env-vars: Stakater's STAKATER_<NAME>_<CONFIGMAP|SECRET> variable on the container that uses the config. " +
        "annotations: Stakater's reloader.stakater.com/last-reloaded-from, written only when data changed. Switching rolls nothing by itself; the next roll swaps the marks.",
    },
    reloadStrategy,
  ),
  reloadOnCreate: flag(
    {
      flag: 'reload-on-create',
      boolean: true,
      stringSwitch: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description:
        'Roll when a config a workload follows is created (it was referenced while absent). Off: its appearance is only recorded.',
    },
    booleanValue,
  ),
  reloadOnDelete: flag(
    {
      flag: 'reload-on-delete',
      boolean: true,
      stringSwitch: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description:
        "Roll when a config a workload follows is deleted: hash changes the hash, env-vars removes the config's variable, annotations names the config with an empty hash. " +
        'Never for a reference that is not optional (new pods could not start). Off: the deletion is only recorded.',
    },
    booleanValue,
  ),
  syncAfterRestart: flag(
    {
      flag: 'sync-after-restart',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description:
        'Accepted for Stakater compatibility; it changes nothing. Every start compares each workload with its recorded config state, so changes made while the controller was down roll exactly once, and nothing else rolls.',
    },
    booleanValue,
  ),
} as const;

/** The Rolling group, second part (after the second part of Scope in help): what a roll does besides, or instead of, marking the pod template. */
export const ROLL_ACTION_FLAGS = {
  startCronJobRuns: flag(
    {
      flag: 'start-cronjob-runs',
      boolean: true,
      value: '',
      default: 'true',
      group: 'Rolling',
      description:
        'When a CronJob rolls, also start a Job from its new template at once, as Stakater does. Never for a suspended CronJob, nor beside an active run under concurrencyPolicy Forbid.',
    },
    booleanValue,
  ),
  webhookUrl: optionalFlag(
    {
      flag: 'webhook-url',
      value: 'url',
      group: 'Rolling',
      description:
        'Instead of rolling, POST a JSON description of each roll (workload, the configs that changed, all configs it follows, the new hash) to this URL. A failed POST is retried with backoff.',
    },
    httpUrl,
  ),
} as const;
