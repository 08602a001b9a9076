import type { ConfigKind } from './config-kind.ts';

/** Where the controller reads an annotation, which decides who keeps it. */
export type AnnotationPlace =
  /** On a workload: its metadata, or its pod template when the metadata has none of these. They choose the configs it follows. */
  | 'opt-in'
  /** On a workload: its metadata, else its pod template. They shape how it rolls. */
  | 'workload'
  /** Written by the controller on a workload's metadata, and read back from there. */
  | 'written'
  /** On a ConfigMap or Secret. */
  | 'config';

export interface AnnotationSpec {
  /** The flag that renames it, without dashes: Stakater Reloader's flag name. */
  readonly flag: string;
  /** Stakater Reloader's name for it. */
  readonly default: string;
  readonly place: AnnotationPlace;
  /** For --help and the README. */
  readonly description: string;
}

/**
 * Every annotation name that steers the controller, in --help order. The
 * flags, the names in the run options, the annotations the workload cache
 * keeps and those the opt-in rules choose their source by are all derived
 * from this table: a new annotation is one entry here, plus the code that
 * reads it.
 */
export const ANNOTATIONS = {
  auto: {
    flag: 'auto-annotation',
    default: 'reloader.stakater.com/auto',
    place: 'opt-in',
    description: 'On a workload: "true" follows every config it references, "false" opts it out.',
  },
  configMapAuto: {
    flag: 'configmap-auto-annotation',
    default: 'configmap.reloader.stakater.com/auto',
    place: 'opt-in',
    description: 'On a workload: "true" follows every ConfigMap it references.',
  },
  secretAuto: {
    flag: 'secret-auto-annotation',
    default: 'secret.reloader.stakater.com/auto',
    place: 'opt-in',
    description: 'On a workload: "true" follows every Secret it references.',
  },
  configMapReload: {
    flag: 'configmap-annotation',
    default: 'configmap.reloader.stakater.com/reload',
    place: 'opt-in',
    description: 'On a workload: a comma list of ConfigMap names (anchored regexes) it follows.',
  },
  secretReload: {
    flag: 'secret-annotation',
    default: 'secret.reloader.stakater.com/reload',
    place: 'opt-in',
    description: 'On a workload: a comma list of Secret names (anchored regexes) it follows.',
  },
  search: {
    flag: 'auto-search-annotation',
    default: 'reloader.stakater.com/search',
    place: 'opt-in',
    description: 'On a workload: "true" follows only the referenced configs that carry the match annotation.',
  },
  match: {
    flag: 'search-match-annotation',
    default: 'reloader.stakater.com/match',
    place: 'config',
    description: 'On a ConfigMap or Secret: "true" makes it count for workloads in search mode.',
  },
  configMapExclude: {
    flag: 'configmap-exclude-annotation',
    default: 'configmaps.exclude.reloader.stakater.com/reload',
    place: 'opt-in',
    description: 'On a workload: a comma list of ConfigMaps that never trigger it.',
  },
  secretExclude: {
    flag: 'secret-exclude-annotation',
    default: 'secrets.exclude.reloader.stakater.com/reload',
    place: 'opt-in',
    description: 'On a workload: a comma list of Secrets that never trigger it.',
  },
  secretProviderClassAuto: {
    flag: 'secretproviderclass-auto-annotation',
    default: 'secretproviderclass.reloader.stakater.com/auto',
    place: 'opt-in',
    description:
      'On a workload: "true" follows every SecretProviderClass its CSI volumes mount (--enable-csi-integration).',
  },
  secretProviderClassReload: {
    flag: 'secretproviderclass-annotation',
    default: 'secretproviderclass.reloader.stakater.com/reload',
    place: 'opt-in',
    description:
      'On a workload: a comma list of SecretProviderClass names (anchored regexes) it follows (--enable-csi-integration).',
  },
  secretProviderClassExclude: {
    flag: 'secretproviderclass-exclude-annotation',
    default: 'secretproviderclasses.exclude.reloader.stakater.com/reload',
    place: 'opt-in',
    description: 'On a workload: a comma list of SecretProviderClasses that never trigger it.',
  },
  ignore: {
    flag: 'ignore-annotation',
    default: 'reloader.stakater.com/ignore',
    place: 'config',
    description: 'On a ConfigMap or Secret: "true" means it never triggers anything.',
  },
  rolloutStrategy: {
    flag: 'rollout-strategy-annotation',
    default: 'reloader.stakater.com/rollout-strategy',
    place: 'workload',
    description:
      'On an Argo Rollout: "restart" sets spec.restartAt instead of changing the pod template; "rollout" (the default) changes the template.',
  },
  pausedAt: {
    flag: 'pause-deployment-time-annotation',
    default: 'deployment.reloader.stakater.com/paused-at',
    place: 'written',
    description:
      'Written by the controller on a Deployment it paused: when. A restarted controller resumes it when the period is over.',
  },
  rolledAt: {
    flag: 'rolled-at-annotation',
    default: 'mini-reloader.pelabs/rolled-at',
    place: 'written',
    description:
      'Written by the controller on a workload it rolled: the times of its last rolls (epoch seconds), for wave health gates and the restart-loop breaker.',
  },
  pausePeriod: {
    flag: 'pause-deployment-annotation',
    default: 'deployment.reloader.stakater.com/pause-period',
    place: 'workload',
    description: 'On a Deployment: a duration to keep it paused while changes gather, so that they make one rollout.',
  },
  freeze: {
    flag: 'freeze-annotation',
    default: 'mini-reloader.pelabs/freeze',
    place: 'workload',
    description:
      'On a workload or its Namespace: "true" holds its rolls (a frozen Namespace, those of every workload in it); its changes stay pending, and removing the freeze rolls it once with the newest data.',
  },
  maintenanceWindow: {
    flag: 'maintenance-window-annotation',
    default: 'mini-reloader.pelabs/maintenance-window',
    place: 'workload',
    description:
      'On a workload or its Namespace: weekly windows such as "Mon-Fri 02:00-04:00 Europe/Berlin, Sat 00:00-06:00 UTC"; outside them its rolls wait for the next window. The workload\'s overrides its Namespace\'s, which overrides --maintenance-window.',
  },
  rolloutWaves: {
    flag: 'rollout-waves-annotation',
    default: 'mini-reloader.pelabs/rollout-waves',
    place: 'config',
    description:
      'On a ConfigMap or Secret: its followers roll in waves, a comma list of cumulative counts or percentages such as "1,10%,50%,100%"; each wave waits until the one before is healthy. Overrides --rollout-waves.',
  },
  waveTimeout: {
    flag: 'wave-timeout-annotation',
    default: 'mini-reloader.pelabs/wave-timeout',
    place: 'config',
    description:
      'On a ConfigMap or Secret with waves: how long a wave may take to become healthy before the rollout halts. Overrides --wave-timeout.',
  },
  resume: {
    flag: 'resume-annotation',
    default: 'mini-reloader.pelabs/resume',
    place: 'config',
    description: 'On a ConfigMap or Secret whose rollout halted: a new value (any) resumes it past the failed wave.',
  },
  canary: {
    flag: 'canary-annotation',
    default: 'mini-reloader.pelabs/canary',
    place: 'workload',
    description: 'On a workload: "true" puts it in the first wave of the rollouts of the configs it follows.',
  },
  halted: {
    flag: 'halted-annotation',
    default: 'mini-reloader.pelabs/halted',
    place: 'written',
    description:
      'Written by the controller on a workload held by a halted rollout: which config, data and failed wave, so the halt survives restarts.',
  },
} as const satisfies Readonly<Record<string, AnnotationSpec>>;

export type AnnotationKey = keyof typeof ANNOTATIONS;

/** The annotation names in use, by table key (each a flag's value). */
export type AnnotationNames = Readonly<Record<AnnotationKey, string>>;

const KEYS = Object.keys(ANNOTATIONS) as AnnotationKey[];

/** One value per annotation, in table order. */
export function mapAnnotations<T>(value: (key: AnnotationKey, spec: AnnotationSpec) => T): Record<AnnotationKey, T> {
  // Object.fromEntries types its keys as string; KEYS are exactly the table's keys.
  return Object.fromEntries(KEYS.map((key) => [key, value(key, ANNOTATIONS[key])])) as Record<AnnotationKey, T>;
}

function namesAt(names: AnnotationNames, places: readonly AnnotationPlace[]): string[] {
  return KEYS.filter((key) => places.includes(ANNOTATIONS[key].place)).map((key) => names[key]);
}

/** The annotations Stakater looks for on a workload's metadata before it falls back to the pod template's. */
export function optInAnnotations(names: AnnotationNames): readonly string[] {
  return namesAt(names, ['opt-in']);
}

/** The annotations the workload cache keeps of a workload's metadata and pod template: every other one is dropped. */
export function workloadAnnotations(names: AnnotationNames): ReadonlySet<string> {
  return new Set(namesAt(names, ['opt-in', 'workload']));
}

/** Stakater's named-list annotation of each config kind. */
export function namedListAnnotations(names: AnnotationNames): Readonly<Record<ConfigKind, string>> {
  return {
    ConfigMap: names.configMapReload,
    Secret: names.secretReload,
    SecretProviderClass: names.secretProviderClassReload,
  };
}
