import { parseBool } from '../parse-bool.ts';
import { STAKATER_KEYS } from './stakater-keys.ts';

/**
 * Stakater Reloader's Helm values (chart 2.2.x) rewritten as mini-reloader's
 * chart's. The same mapping as the chart's templates/_stakater.tpl, which reads
 * a Stakater file directly; a test renders both and compares:
 * - a Stakater key at Stakater's default is left out (`config.stakaterDefaults`
 *   gives Stakater's defaults), and said so;
 * - any other Stakater key wins over the key of ours it maps to;
 * - a key this chart cannot honour, or no key of Stakater's at all, is refused,
 *   with what to do instead.
 */
export interface Migration {
  /** The values file for this chart. */
  readonly values: Record<string, unknown>;
  /** Why each value is there: output path (dotted) to the sentences saying where it came from. */
  readonly comments: ReadonlyMap<string, readonly string[]>;
  /** Input keys that change nothing here, each with why. */
  readonly leftOut: readonly string[];
  /** Input keys this chart cannot honour, each with what to do instead. */
  readonly refused: readonly string[];
}

type Values = Record<string, unknown>;

const OWN_IMAGE = 'mini-reloader';
const STAKATER_LABELS = { provider: 'stakater', group: 'com.stakater.platform', version: 'v1.4.21' };
const STAKATER_POD_SECURITY = { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } };
const ANNOTATION_FLAGS: Readonly<Record<string, string>> = {
  configmap: 'configMapAnnotation',
  secret: 'secretAnnotation',
  auto: 'autoAnnotation',
  secret_auto: 'secretAutoAnnotation',
  configmap_auto: 'configMapAutoAnnotation',
  search: 'autoSearchAnnotation',
  match: 'searchMatchAnnotation',
  ignore: 'ignoreAnnotation',
  pausePeriod: 'pauseDeploymentAnnotation',
  pauseTime: 'pauseDeploymentTimeAnnotation',
};
const MONITOR_KEYS: Readonly<Record<string, string>> = {
  enabled: 'enabled',
  namespace: 'namespace',
  interval: 'interval',
  timeout: 'scrapeTimeout',
  scheme: 'scheme',
  tlsConfig: 'tlsConfig',
  bearerTokenFile: 'bearerTokenFile',
  labels: 'labels',
  annotations: 'annotations',
  honorLabels: 'honorLabels',
  metricRelabelings: 'metricRelabelings',
  relabelings: 'relabelings',
  targetLabels: 'targetLabels',
};
const POD_KEYS: Readonly<Record<string, string>> = {
  dnsConfig: 'dnsConfig',
  nodeSelector: 'nodeSelector',
  affinity: 'affinity',
  tolerations: 'tolerations',
  topologySpreadConstraints: 'topologySpreadConstraints',
  volumes: 'volumes',
  volumeMounts: 'volumeMounts',
  resources: 'resources',
  annotations: 'deploymentAnnotations',
  priorityClassName: 'priorityClassName',
  runtimeClassName: 'runtimeClassName',
  schedulerName: 'schedulerName',
};
const STAKATER_ONLY = new Set(['reloader', 'global', 'kubernetes']);

function isMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** As the chart's isSet: not null, not "", not an empty list. */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}
/** As Helm's `with`: also not false, 0 or an empty map. */
function isNonEmpty(v: unknown): boolean {
  return isSet(v) && v !== false && v !== 0 && !(isMap(v) && Object.keys(v).length === 0);
}
/** A scalar value as text (a map or list as JSON, which no Stakater key holds where text is wanted). */
function text(v: unknown): string {
  return typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? text(v)
      : v === undefined || v === null
        ? ''
        : JSON.stringify(v);
}
const isTrue = (v: unknown): boolean => v === true || (typeof v === 'string' && parseBool(v) === true);
const isFalse = (v: unknown): boolean => v === false || (typeof v === 'string' && parseBool(v) === false);
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}

/** Dotted paths of the leaves of `v` that are keys of Stakater's chart, and of the unknown ones. */
function inputKeys(v: Values): { known: string[]; unknown: string[] } {
  const known: string[] = [];
  const unknown: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (STAKATER_KEYS.includes(path)) {
      known.push(path);
      return;
    }
    if (isMap(node) && STAKATER_KEYS.some((k) => k.startsWith(`${path}.`))) {
      for (const [k, child] of Object.entries(node)) walk(child, `${path}.${k}`);
      return;
    }
    unknown.push(path);
  };
  for (const top of STAKATER_ONLY) if (top in v) walk(v[top], top);
  for (const k of ['name', 'digest']) if (isMap(v.image) && k in v.image) known.push(`image.${k}`);
  return { known, unknown };
}

/** Rewrites a Stakater values file (already parsed) as this chart's values. */
export function migrateStakaterValues(input: Values, release: Release = DEFAULT_RELEASE): Migration {
  const values: Values = {};
  for (const [k, v] of Object.entries(input)) if (!STAKATER_ONLY.has(k)) values[k] = structuredClone(v);
  const comments = new Map<string, string[]>();
  const refused: string[] = [];
  const leftOut: string[] = [];

  const at = (path: string): unknown =>
    path.split('.').reduce<unknown>((node, k) => (isMap(node) ? node[k] : undefined), input);
  const note = (path: string, text: string): void => {
    comments.set(path, [...(comments.get(path) ?? []), text]);
  };
  const put = (path: string, value: unknown, text: string): void => {
    const keys = path.split('.');
    let node = values;
    for (const k of keys.slice(0, -1)) {
      if (!isMap(node[k])) node[k] = {};
      node = node[k] as Values;
    }
    node[keys.at(-1) ?? path] = value;
    note(path, text);
  };
  const refuse = (path: string, text: string): void => {
    refused.push(`${path}: ${text}`);
  };
  const r = (key: string): unknown => at(`reloader.${key}`);
  const from = (key: string): string => `from reloader.${key}`;

  const { known, unknown } = inputKeys(input);
  for (const path of unknown) refuse(path, "no key of Stakater Reloader's chart 2.2.x nor of this chart; remove it");

  if (isMap(input.reloader)) {
    mapReloader();
    if (!isSet(at('config.stakaterDefaults')))
      put(
        'config.stakaterDefaults',
        true,
        "Stakater's defaults where ours differ: text logs, env-vars strategy, Argo Rollouts only when asked",
      );
  }
  mapImage();

  const said = [...[...comments.values()].flat(), ...refused];
  const mentioned = (path: string): boolean => {
    const pattern = new RegExp(`(^|[^\\w.])${path.replaceAll('.', '\\.')}(?![\\w.])`);
    return said.some((text) => pattern.test(text));
  };
  for (const path of known) if (!mentioned(path)) leftOut.push(`${path}: ${leftOutReason(path)}`);
  return { values, comments, leftOut, refused };

  function leftOutReason(path: string): string {
    if (path === 'kubernetes.host' || path === 'reloader.legacy.rbac')
      return "read by none of Stakater's own templates";
    if (
      path.startsWith('reloader.serviceMonitor.') ||
      path.startsWith('reloader.podMonitor.') ||
      path.startsWith('reloader.netpol.') ||
      path.startsWith('reloader.verticalPodAutoscaler.')
    )
      return 'has no effect while its enabled is false';
    return "Stakater's default, which stakaterDefaults and this chart's defaults already give, or of no effect here";
  }

  function mapReloader(): void {
    if (isTrue(r('isOpenshift')))
      refuse(
        'reloader.isOpenshift',
        'mini-reloader does not roll OpenShift DeploymentConfigs; remove the key (convert them to Deployments, or keep Stakater Reloader for them)',
      );
    if (isTrue(r('ignoreSecrets')) && isTrue(r('ignoreConfigMaps')))
      refuse(
        'reloader.ignoreSecrets and reloader.ignoreConfigMaps',
        'together they leave nothing to watch; keep at most one',
      );
    else if (isTrue(r('ignoreSecrets'))) put('config.resourcesToIgnore', 'secrets', from('ignoreSecrets'));
    else if (isTrue(r('ignoreConfigMaps'))) put('config.resourcesToIgnore', 'configmaps', from('ignoreConfigMaps'));
    for (const k of ['gomaxprocsOverride', 'gomemlimitOverride']) {
      if (isSet(r(`deployment.${k}`)))
        refuse(
          `reloader.deployment.${k}`,
          "tunes Go's runtime and mini-reloader is no Go program; remove it and size it with reloader.deployment.resources.limits.memory (the V8 heap gets 60% of it)",
        );
    }
    if (isFalse(r('deployment.automountServiceAccountToken')))
      refuse(
        'reloader.deployment.automountServiceAccountToken',
        'false leaves mini-reloader without its credentials; remove the key',
      );
    if (isTrue(r('podMonitor.enabled')))
      refuse(
        'reloader.podMonitor.enabled',
        'this chart renders a ServiceMonitor, not a PodMonitor; use reloader.serviceMonitor (the same labels, interval and relabelings)',
      );
    if (isTrue(r('netpol.enabled')))
      refuse(
        'reloader.netpol.enabled',
        'this chart renders no NetworkPolicy; write your own (mini-reloader needs egress to the API server and its alert receiver, and ingress on its metrics port 9090)',
      );
    if (isTrue(r('verticalPodAutoscaler.enabled')))
      refuse(
        'reloader.verticalPodAutoscaler.enabled',
        'this chart renders no VerticalPodAutoscaler; create one for the Deployment yourself',
      );
    mapScope();
    mapBehaviour();
    mapReplicas();
    mapPod();
    mapEnv();
    mapAround();
  }

  function mapScope(): void {
    const global = !isFalse(r('watchGlobally'));
    let given = r('namespaces');
    if (typeof given === 'string') given = given.split(',');
    const namespaces = (Array.isArray(given) ? given : []).map((n) => text(n).trim()).filter((n) => n !== '');
    if (global) {
      if (namespaces.length > 0)
        refuse(
          'reloader.namespaces',
          'set while reloader.watchGlobally is true; set reloader.watchGlobally false to watch only those namespaces',
        );
      if (isSet(r('ignoreNamespaces')))
        put('config.namespacesToIgnore', text(r('ignoreNamespaces')), from('ignoreNamespaces'));
      if (isSet(r('namespaceSelector')))
        put('config.namespaceSelector', text(r('namespaceSelector')), from('namespaceSelector'));
      return;
    }
    const list = [...new Set([release.namespace, ...namespaces])].sort();
    put(
      'watchNamespaces',
      list,
      `from reloader.watchGlobally false${namespaces.length > 0 ? ' and reloader.namespaces' : ''}, with the release namespace (written for "${release.namespace}") as Stakater adds it: a Role in each`,
    );
    if (isSet(r('ignoreNamespaces')))
      refuse(
        'reloader.ignoreNamespaces',
        'applies only with reloader.watchGlobally true (Stakater ignores it otherwise); remove it, or leave those namespaces out of reloader.namespaces',
      );
    if (isSet(r('namespaceSelector')))
      refuse(
        'reloader.namespaceSelector',
        'applies only with reloader.watchGlobally true (Stakater ignores it otherwise); remove it, or list the namespaces in reloader.namespaces',
      );
  }

  function mapBehaviour(): void {
    if (isSet(r('resourceLabelSelector')))
      put('config.resourceLabelSelector', text(r('resourceLabelSelector')), from('resourceLabelSelector'));
    const kinds = [isTrue(r('ignoreJobs')) ? 'jobs' : '', isTrue(r('ignoreCronJobs')) ? 'cronjobs' : ''].filter(
      (k) => k !== '',
    );
    if (kinds.length > 0)
      put('config.ignoredWorkloadTypes', kinds.join(','), 'from reloader.ignoreJobs and reloader.ignoreCronJobs');
    const switches: Record<string, string> = {
      autoReloadAll: 'autoReloadAll',
      isArgoRollouts: 'argoRollouts',
      reloadOnCreate: 'reloadOnCreate',
      reloadOnDelete: 'reloadOnDelete',
      syncAfterRestart: 'syncAfterRestart',
      enablePProf: 'enablePprof',
      enableCSIIntegration: 'enableCsiIntegration',
    };
    for (const [stakater, ours] of Object.entries(switches))
      if (isTrue(r(stakater))) put(`config.${ours}`, true, from(stakater));
    if (isTrue(r('enableMetricsByNamespace')))
      put('config.metricsCountByNamespace', 'enabled', from('enableMetricsByNamespace'));
    const strategy = text(r('reloadStrategy') ?? 'default');
    if (strategy !== 'default') put('config.reloadStrategy', strategy, from('reloadStrategy'));
    else if (isFalse(at('config.stakaterDefaults')))
      put('config.reloadStrategy', 'env-vars', 'from reloader.reloadStrategy default, which is env-vars');
    if (isSet(r('logFormat'))) put('config.logFormat', text(r('logFormat')), from('logFormat'));
    if (isSet(r('logLevel')) && text(r('logLevel')) !== 'info')
      put('config.logLevel', text(r('logLevel')), from('logLevel'));
    if (isSet(r('pprofAddr')) && text(r('pprofAddr')) !== ':6060')
      put('config.pprofAddr', text(r('pprofAddr')), from('pprofAddr'));
    if (isSet(r('webhookUrl'))) put('config.webhookUrl', text(r('webhookUrl')), from('webhookUrl'));
    const custom = r('custom_annotations');
    if (isMap(custom)) {
      for (const [k, v] of Object.entries(custom)) {
        const flag = ANNOTATION_FLAGS[k];
        if (flag !== undefined && isSet(v)) put(`config.${flag}`, text(v), from(`custom_annotations.${k}`));
      }
    }
  }

  function mapReplicas(): void {
    const replicasGiven = at('reloader.deployment.replicas');
    const replicas = replicasGiven === undefined ? 1 : Math.trunc(Number(replicasGiven) || 0);
    const enableHA = isTrue(r('enableHA'));
    const ha = enableHA || replicas > 1;
    if (ha) {
      put(
        'ha.enabled',
        true,
        enableHA ? from('enableHA') : 'from reloader.deployment.replicas above 1, with which Stakater elects a leader',
      );
      put(
        'ha.replicas',
        enableHA ? replicas : 1,
        enableHA ? 'from reloader.deployment.replicas' : 'Stakater runs one replica without reloader.enableHA',
      );
      if (!isNonEmpty(at('reloader.deployment.affinity'))) {
        put(
          'affinity',
          {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: {
                      matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'In', values: [release.name] }],
                    },
                  },
                },
              ],
            },
          },
          `Stakater's anti-affinity with HA (reloader.enableHA without reloader.deployment.affinity), written for release "${release.name}"`,
        );
      }
    } else if (replicasGiven !== undefined && replicas !== 1) {
      put('replicaCount', Math.min(replicas, 1), 'from reloader.deployment.replicas');
    }
    const pdbEnabled = isTrue(r('podDisruptionBudget.enabled'));
    put(
      'ha.podDisruptionBudget.enabled',
      pdbEnabled,
      pdbEnabled
        ? from('podDisruptionBudget.enabled')
        : 'Stakater renders no PodDisruptionBudget unless reloader.podDisruptionBudget.enabled',
    );
    if (pdbEnabled && !ha)
      refuse(
        'reloader.podDisruptionBudget.enabled',
        'on a single replica it blocks every node drain; set reloader.enableHA true (and reloader.deployment.replicas 2), or remove it',
      );
    for (const k of ['maxUnavailable', 'minAvailable']) {
      if (at(`reloader.podDisruptionBudget.${k}`) !== undefined)
        put(`ha.podDisruptionBudget.${k}`, r(`podDisruptionBudget.${k}`), from(`podDisruptionBudget.${k}`));
    }
  }

  function mapPod(): void {
    const d = (k: string): unknown => r(`deployment.${k}`);
    if (at('reloader.deployment.revisionHistoryLimit') !== undefined)
      put('revisionHistoryLimit', d('revisionHistoryLimit'), from('deployment.revisionHistoryLimit'));
    if (typeof d('hostUsers') === 'boolean') put('hostUsers', d('hostUsers'), from('deployment.hostUsers'));
    for (const [stakater, ours] of Object.entries(POD_KEYS)) {
      const v = d(stakater);
      if (isNonEmpty(v))
        put(
          ours,
          v,
          `${from(`deployment.${stakater}`)}${stakater === 'resources' ? ", laid over this chart's (its memory limit sizes the V8 heap)" : ''}`,
        );
    }
    const mergeInto = (ours: string, extra: unknown, text: string): void => {
      if (isNonEmpty(extra)) put(ours, { ...(isMap(values[ours]) ? values[ours] : {}), ...(extra as Values) }, text);
    };
    mergeInto('podAnnotations', d('pod.annotations'), from('deployment.pod.annotations'));
    const labels = d('labels');
    if (isNonEmpty(labels) && !sameJson(labels, STAKATER_LABELS)) {
      mergeInto('deploymentLabels', labels, from('deployment.labels'));
      mergeInto('podLabels', labels, from('deployment.labels'));
    }
    mergeInto(
      'commonLabels',
      r('matchLabels'),
      `${from('matchLabels')}: on every object; the Deployment's selector keeps the chart's own labels`,
    );
    const podSecurity = d('securityContext');
    if (isNonEmpty(podSecurity) && !sameJson(podSecurity, STAKATER_POD_SECURITY))
      put('podSecurityContext', podSecurity, `${from('deployment.securityContext')}, laid over this chart's`);
    const containerSecurity = d('containerSecurityContext');
    if (isNonEmpty(containerSecurity))
      put(
        'securityContext',
        structuredClone(containerSecurity),
        `${from('deployment.containerSecurityContext')}, laid over this chart's hardened default`,
      );
    if (isTrue(r('readOnlyRootFileSystem')))
      put('securityContext.readOnlyRootFilesystem', true, from('readOnlyRootFileSystem'));
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      const v = d(probe);
      if (isNonEmpty(v)) put(probe, v, `${from(`deployment.${probe}`)}, laid over this chart's probe`);
    }
  }

  function mapEnv(): void {
    const env: unknown[] = Array.isArray(values.env) ? [...(values.env as unknown[])] : [];
    const sources: string[] = [];
    const map = (k: string): Values => {
      const v = r(`deployment.env.${k}`);
      if (isMap(v) && Object.keys(v).length > 0) sources.push(`reloader.deployment.env.${k}`);
      return isMap(v) ? v : {};
    };
    const open = map('open');
    const secret = map('secret');
    const field = map('field');
    const existing = map('existing');
    for (const name of Object.keys(open).sort()) if (isSet(open[name])) env.push({ name, value: text(open[name]) });
    const secretEnv: Values = {};
    for (const name of Object.keys(secret).sort()) if (isSet(secret[name])) secretEnv[name] = text(secret[name]);
    if (Object.keys(secretEnv).length > 0)
      put(
        'secretEnv',
        { ...(isMap(values.secretEnv) ? values.secretEnv : {}), ...secretEnv },
        'from reloader.deployment.env.secret: the chart keeps them in its Secret <fullname>-env; better, keep them in a Secret of your own and name it in envFromSecret',
      );
    for (const name of Object.keys(field).sort())
      if (isSet(field[name])) env.push({ name, valueFrom: { fieldRef: { fieldPath: text(field[name]) } } });
    for (const secretName of Object.keys(existing).sort()) {
      const keys = existing[secretName];
      if (isMap(keys))
        for (const name of Object.keys(keys).sort())
          env.push({ name, valueFrom: { secretKeyRef: { name: secretName, key: text(keys[name]) } } });
    }
    if (env.length > (Array.isArray(values.env) ? values.env.length : 0))
      put('env', env, `from ${sources.filter((s) => !s.endsWith('.secret')).join(', ')}`);
  }

  function mapAround(): void {
    for (const k of ['labels', 'annotations', 'port', 'ipFamilyPolicy', 'ipFamilies']) {
      if (at(`reloader.service.${k}`) !== undefined) put(`service.${k}`, r(`service.${k}`), from(`service.${k}`));
    }
    if (at('reloader.rbac.enabled') !== undefined && !isTrue(r('rbac.enabled')))
      put('rbac.create', false, from('rbac.enabled'));
    if (isNonEmpty(at('reloader.rbac.labels'))) put('rbac.labels', r('rbac.labels'), from('rbac.labels'));
    if (at('reloader.serviceAccount.create') !== undefined && !isTrue(r('serviceAccount.create')))
      put('serviceAccount.create', false, from('serviceAccount.create'));
    for (const k of ['labels', 'annotations', 'name'])
      if (isNonEmpty(at(`reloader.serviceAccount.${k}`)))
        put(`serviceAccount.${k}`, r(`serviceAccount.${k}`), from(`serviceAccount.${k}`));
    if (isTrue(r('serviceMonitor.enabled')))
      for (const [stakater, ours] of Object.entries(MONITOR_KEYS)) {
        if (at(`reloader.serviceMonitor.${stakater}`) !== undefined)
          put(`serviceMonitor.${ours}`, r(`serviceMonitor.${stakater}`), from(`serviceMonitor.${stakater}`));
      }
  }

  function mapImage(): void {
    const registry = at('global.imageRegistry');
    const name = at('image.name');
    const ownImage: Values = isMap(values.image) ? values.image : {};
    if (isSet(registry)) {
      ownImage.repository = `${text(registry)}/${text(name)}`;
      note('image.repository', 'from global.imageRegistry and image.name');
    }
    delete ownImage.name;
    const repository = ownImage.repository;
    if (repository !== undefined && text(repository).split('/').at(-1) !== OWN_IMAGE) {
      delete ownImage.repository;
      delete ownImage.tag;
      delete ownImage.digest;
      note(
        'image',
        `image.repository ${text(repository)} is not mini-reloader: left out with image.tag and image.digest, so the chart's own image is used (point image.repository at your mirror of it if you have one)`,
      );
    } else if (isSet(ownImage.digest)) {
      note('image.digest', 'kept from image.digest');
    }
    if (Object.keys(ownImage).length > 0) values.image = ownImage;
    else delete values.image;
    const secrets = at('global.imagePullSecrets');
    if (Array.isArray(secrets) && secrets.length > 0) {
      const own: unknown[] = Array.isArray(values.imagePullSecrets) ? (values.imagePullSecrets as unknown[]) : [];
      const named = (secrets as unknown[]).map((s) => (typeof s === 'string' ? { name: s } : s));
      put('imagePullSecrets', [...own, ...named], 'from global.imagePullSecrets');
    }
  }
}

/** The release a migrated file is written for: Stakater's watch list and HA anti-affinity name them, which a values file must spell out. */
export interface Release {
  readonly name: string;
  readonly namespace: string;
}
export const DEFAULT_RELEASE: Release = Object.freeze({ name: 'mini-reloader', namespace: 'mini-reloader' });
