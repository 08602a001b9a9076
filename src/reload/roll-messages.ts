import { referenceKey } from '../model/config-id.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import type { EventSubject } from '../kube/event-recorder.ts';
import { kindInfo } from '../model/workload-kind.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import { changedConfigText, type ChangedConfig } from './changed-config.ts';
import type { DecideSettings, HoldDecision, RollDecision } from './decision.ts';
import type { RollEffects } from './workload-writer.ts';
import { waveHoldText } from './wave-messages.ts';

/** A roll, as the alerting and the webhook describe it. */
export interface RollNotice {
  readonly workload: { readonly kind: string; readonly namespace: string; readonly name: string };
  /** The configs whose change starts the roll, with the visible keys of the change and its writer where known. */
  readonly changed: readonly ChangedConfig[];
  readonly follows: readonly { readonly kind: ConfigKind; readonly name: string }[];
  readonly hash: string;
}

/** Why a workload is held (its ReloadHeld Event and log text): what is pending, and when it rolls. */
export function holdMessage(decision: HoldDecision, annotations: DecideSettings['annotations']): string {
  const pending = decision.held.kind === 'roll' ? `${decision.held.changed.join(', ')} changed; ` : '';
  const { reason } = decision;
  if (reason.why === 'wave' || reason.why === 'halted')
    return `${pending}not rolled yet: ${waveHoldText(reason, decision.until)}`;
  if (reason.why === 'freeze') {
    const frozen =
      reason.namespace === undefined
        ? `${annotations.freeze} is "true"`
        : `Namespace ${reason.namespace} is frozen (${annotations.freeze} "true" on it)`;
    return `${pending}not rolled while ${frozen}; it rolls once with the newest data when the freeze is lifted`;
  }
  const opens = decision.until === undefined ? 'the next window' : new Date(decision.until).toISOString();
  const window =
    reason.why === 'maintenance-window' && reason.namespace !== undefined
      ? `the maintenance window of Namespace ${reason.namespace}`
      : 'its maintenance window';
  return `${pending}not rolled outside ${window}; it rolls once with the newest data when the next window opens at ${opens}`;
}

/** The roll as the alerts and the webhook are told it. */
export function rollNotice(
  workload: WorkloadRecord,
  decision: RollDecision,
  changed: readonly ChangedConfig[],
): RollNotice {
  return {
    workload: { kind: workload.kind, namespace: workload.namespace, name: workload.name },
    changed,
    follows: decision.plan.configs.map((c) => ({ kind: c.kind, name: c.name })),
    hash: decision.plan.combined,
  };
}

/** Each change the controller saw, with its keys and writer; then those it did not watch. */
export function rollMessage(changed: readonly ChangedConfig[], causes: readonly string[]): string {
  const seen = changed.filter((c) => causes.includes(referenceKey(c.kind, c.name)));
  const unseen = changed.filter((c) => !causes.includes(referenceKey(c.kind, c.name)));
  return [
    ...seen.map(changedConfigText),
    ...(unseen.length > 0
      ? [`${unseen.map((c) => referenceKey(c.kind, c.name)).join(', ')} changed while not watched`]
      : []),
  ].join('; ');
}

/** What the roll did besides the template change (a CronJob's Job), as a suffix of the Reloaded Event text. */
export function effectsText(effects: RollEffects): string {
  if (effects.startedJob !== undefined) return `; started Job ${effects.startedJob}`;
  if (effects.jobNotStarted !== undefined) return `; no Job started: ${effects.jobNotStarted}`;
  return '';
}

/** The object an Event about `workload` is recorded on. */
export function subject(workload: WorkloadRecord): {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
} {
  const info = kindInfo(workload.kind);
  return {
    apiVersion: info.apiVersion,
    kind: info.objectKind ?? info.kind,
    namespace: workload.namespace,
    name: workload.name,
    uid: workload.uid,
  };
}

const CONFIG_API_VERSION: Readonly<Record<ConfigKind, string>> = {
  ConfigMap: 'v1',
  Secret: 'v1',
  SecretProviderClass: 'secrets-store.csi.x-k8s.io/v1',
};

/** A config as the subject of an Event. */
export function configSubject(kind: ConfigKind, namespace: string, name: string, uid: string): EventSubject {
  return { apiVersion: CONFIG_API_VERSION[kind], kind, namespace, name, uid };
}
