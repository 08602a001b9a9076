import { isMap, isNonEmpty, isSet, isTrue, sameJson, text, type Values } from './helm-values.ts';
import type { MigrationInProgress } from './migration-in-progress.ts';

/** The labels and pod security context Stakater's chart sets by default: given as they are, they are not carried over. */
const STAKATER_LABELS = { provider: 'stakater', group: 'com.stakater.platform', version: 'v1.4.21' };
const STAKATER_POD_SECURITY = { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } };
/** Keys of `reloader.deployment` to the keys of ours that take them whole. */
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

/** The Deployment and its pod template: scheduling, resources, labels, annotations, security contexts and probes. */
export function mapPod(m: MigrationInProgress): void {
  const { values, at, r, put, from } = m;
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

/** The container's environment: plain values, values from Secrets and fields, and Stakater's Secret of its own. */
export function mapEnv(m: MigrationInProgress): void {
  const { values, r, put } = m;
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
