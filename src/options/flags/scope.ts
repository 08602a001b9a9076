import { WORKLOAD_KINDS } from '../../model/workload-kind.ts';
import { concat } from '../csv-list.ts';
import { flag, optionalFlag } from '../flag-spec.ts';
import { namespaceList } from '../kubernetes-names.ts';
import { joinSelectors, labelSelector, SELECTOR_ALLOWED } from '../label-selector.ts';
import { KIND_PRESETS } from '../../workload/kind-presets.ts';
import { booleanValue, resourcesToIgnore, workloadTypes } from '../values.ts';
import { WORKLOAD_KIND_FORM, workloadKindValue } from '../workload-kind-flag.ts';

/** The Scope group, first part: which namespaces are watched, and which ConfigMaps and Secrets are followed. */
export const NAMESPACE_AND_CONFIG_SCOPE_FLAGS = {
  namespaces: flag(
    {
      flag: 'namespaces',
      env: 'KUBERNETES_NAMESPACE',
      value: 'a,b',
      default: '',
      group: 'Scope',
      description:
        'Namespaced mode: watch only these namespaces, each on its own, so Roles suffice (no ClusterRole). Empty: every namespace. ' +
        "Without the flag, KUBERNETES_NAMESPACE (Stakater's single-namespace mode) is used.",
    },
    namespaceList,
    concat,
  ),
  namespacesToIgnore: flag(
    {
      flag: 'namespaces-to-ignore',
      value: 'a,b',
      default: '',
      group: 'Scope',
      description: 'Namespaces never watched or acted in. Cluster-wide mode only.',
    },
    namespaceList,
    concat,
  ),
  namespaceSelector: optionalFlag(
    {
      flag: 'namespace-selector',
      value: 'selector',
      group: 'Scope',
      description:
        `Act only in namespaces whose labels match (${SELECTOR_ALLOWED}; Stakater's k:v and k:* also work). ` +
        'Needs list and watch on namespaces, so cluster-wide mode only.',
    },
    labelSelector,
    joinSelectors,
  ),
  resourceLabelSelector: optionalFlag(
    {
      flag: 'resource-label-selector',
      value: 'selector',
      group: 'Scope',
      description:
        'Watch only the ConfigMaps and Secrets whose labels match (same syntax); the API server filters them.',
    },
    labelSelector,
    joinSelectors,
  ),
  resourcesToIgnore: flag(
    {
      flag: 'resources-to-ignore',
      value: 'configMaps|secrets',
      default: '',
      group: 'Scope',
      description: 'Never watch or react to this kind (any letter case; not both).',
    },
    resourcesToIgnore,
    (a, b) => [...new Set([...a, ...b])],
  ),
  autoReloadAll: flag(
    {
      flag: 'auto-reload-all',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Scope',
      description:
        'Follow every ConfigMap and Secret each workload references, without annotations; a workload annotated auto "false" still opts out.',
    },
    booleanValue,
  ),
} as const;

/** The Scope group, second part (after the first part of Rolling in help): which kinds of workload are followed and rolled. */
export const KIND_SCOPE_FLAGS = {
  ignoredWorkloadTypes: flag(
    {
      flag: 'ignored-workload-types',
      value: 'jobs,cronjobs,…',
      default: '',
      group: 'Scope',
      description: `Workload types never watched or rolled (${WORKLOAD_KINDS.map((k) => k.typeName).join(', ')}); their RBAC rules can be dropped.`,
    },
    workloadTypes,
    (a, b) => [...new Set([...a, ...b])],
  ),
  argoRollouts: flag(
    {
      flag: 'argo-rollouts',
      aliases: ['is-Argo-Rollouts'],
      boolean: true,
      stringSwitch: true,
      value: '',
      default: 'true',
      stakaterDefault: 'false',
      group: 'Scope',
      description:
        'Follow Argo Rollouts (argoproj.io/v1alpha1) when the cluster serves them, also when their CRD is installed later. Same as leaving rollouts out of --ignored-workload-types.',
    },
    booleanValue,
  ),
  enableCsiIntegration: flag(
    {
      flag: 'enable-csi-integration',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Scope',
      description:
        'Follow the SecretProviderClasses that CSI volumes mount (Secrets Store CSI driver, secrets-store.csi.x-k8s.io/v1): ' +
        'a new set of object versions in their SecretProviderClassPodStatuses rolls the workloads. Needs list and watch on both; ' +
        'only while the cluster serves them, also when their CRDs are installed later.',
    },
    booleanValue,
  ),
  workloadKind: flag(
    {
      flag: 'workload-kind',
      value: `${WORKLOAD_KIND_FORM}|preset`,
      default: '',
      group: 'Scope',
      description:
        'Also follow and roll this kind; repeat the flag for more. resource defaults to the plural discovery reports, template to spec.template (a roll marks it, as for Deployments); ' +
        'restart-field rolls by setting that field to the current time instead, the references still being read from the template. A kind not served yet is picked up when its CRD appears. ' +
        `Presets: ${KIND_PRESETS.map((p) => `${p.name} (${p.summary})`).join('; ')}.`,
    },
    workloadKindValue,
    (a, b) => [...a, ...b],
  ),
} as const;
