import { waveHoldText } from '../reload/wave-messages.ts';
import type { ConfigEntry } from '../config/config-cache.ts';
import { decide } from '../reload/decide.ts';
import type {
  ConfigChange,
  ConfigVerdict,
  ConfigView,
  Decision,
  DecideSettings,
  HoldDecision,
} from '../reload/decision.ts';
import type { ConfigRecord } from '../model/config-record.ts';
import type { FollowRule, SkipCause } from '../reload/opt-in.ts';
import { durationText } from '../reload/roll-loop.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import { referenceKey } from '../model/config-id.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import type { WorkloadKind } from '../model/workload-kind.ts';
import { useViews, type UseView } from './config-uses.ts';
import type { NamespaceVerdict } from './namespace-snapshot.ts';
import type { WorkloadFacts } from './workload-facts.ts';

/** What `explain` says about one config of one workload. */
export interface ConfigExplanation {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly follows: boolean;
  /** The rule that makes the workload follow it, or null. */
  readonly rule: FollowRule | null;
  /** Why the workload does not follow it, or null. */
  readonly reason: string | null;
  /** The key names the pods can see; `["*"]` for all of them. */
  readonly visibleKeys: readonly string[];
  readonly state: 'present' | 'missing' | 'missing, optional';
  /** How it compares with the workload's record; null when not followed. */
  readonly change: ConfigChange | null;
  /** With --key: whether a change to that key of this config would roll the workload. */
  readonly wouldRoll?: boolean;
  /** How the pod template uses it; empty for a config only a named list selects. */
  readonly uses: readonly UseView[];
  /** What explain cannot know from one read and that may change the answer, or null. */
  readonly note: string | null;
}

/**
 * What `explain` says about one workload: the fields of the JSON contract
 * (`kind` … `wouldRoll`), what the controller would do with it now, and
 * each config it references or names.
 */
export interface WorkloadExplanation {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly follows: boolean;
  readonly rule: string | null;
  readonly reason: string | null;
  readonly visibleKeys: readonly string[];
  readonly wouldRoll?: boolean;
  /** The decision's kind: what the controller does at its next look. */
  readonly decision: Decision['kind'];
  /** The same, and the record against the current data, in words. */
  readonly status: string;
  readonly configs: readonly ConfigExplanation[];
}

/** What every explanation of a namespace shares. */
export interface ExplainContext {
  readonly view: ConfigView;
  readonly settings: DecideSettings;
  readonly now: number;
  readonly scope: NamespaceVerdict;
  readonly ignoredWorkloadKinds: ReadonlySet<WorkloadKind>;
  /** The opt-in label of configs, for the words of a reason. */
  readonly enabledLabel: string;
  /** What explain read of the workload beyond its cache record. */
  readonly facts: (workload: WorkloadRecord) => WorkloadFacts;
  /** When the config was created (epoch ms), if known. */
  readonly createdAt: (kind: ConfigKind, name: string) => number | undefined;
}

/** A config and, with --key, the key asked about. */
export interface ConfigQuestion {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly key?: string | undefined;
}

/**
 * Explains what one config means to one workload, from what `decide` makes
 * of the workload (the same call the controller makes): the contract fields
 * are about that config. Undefined when the workload neither references the
 * config nor names it in a reload list. A namespace outside the controller's
 * scope, or a workload type it ignores, follows nothing whatever its
 * annotations say.
 */
export function explainForConfig(
  workload: WorkloadRecord,
  context: ExplainContext,
  question: ConfigQuestion,
): WorkloadExplanation | undefined {
  const decision = decide(workload, context.view, context.settings, context.now);
  const id = referenceKey(question.kind, question.name);
  const verdict = decision.configs.find((c) => c.id === id);
  if (verdict === undefined && !workload.references.some((r) => r.kind === question.kind && r.name === question.name))
    return undefined;
  const one = explainConfig(workload, decision, verdict, question, context, question.key);
  const { decision: kind, status: words } = header(workload, decision, context);
  return {
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
    follows: one.follows,
    rule: one.rule,
    reason: one.reason,
    visibleKeys: one.visibleKeys,
    ...wouldRollField(one),
    decision: kind,
    status: words,
    configs: [one],
  };
}

/**
 * Explains one workload and every config it references or names. The
 * contract fields sum up the configs it follows: `follows` any, `rule` their
 * distinct rules in decision order joined by commas, `visibleKeys` the union
 * (`*` when any is seen whole), and with `key`, `wouldRoll` whether changing
 * that key in any of them would roll it.
 */
export function explainWorkload(workload: WorkloadRecord, context: ExplainContext, key?: string): WorkloadExplanation {
  const decision = decide(workload, context.view, context.settings, context.now);
  const configs = [
    ...decision.configs.map((verdict) => explainConfig(workload, decision, verdict, verdict, context, key)),
    // References of a workload left alone as a whole: the decision judged none of them.
    ...workload.references
      .filter((r) => !decision.configs.some((c) => c.id === referenceKey(r.kind, r.name)))
      .map((r) => explainConfig(workload, decision, undefined, r, context, key)),
  ];
  const followed = configs.filter((c) => c.follows);
  const rules = RULE_ORDER.filter((rule) => followed.some((c) => c.rule === rule));
  const keys = followed.some((c) => c.visibleKeys.includes('*'))
    ? ['*']
    : [...new Set(followed.flatMap((c) => c.visibleKeys))].sort();
  const { decision: kind, status: words } = header(workload, decision, context);
  return {
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
    follows: followed.length > 0,
    rule: rules.length === 0 ? null : rules.join(','),
    reason:
      followed.length > 0
        ? null
        : (leftOut(workload, context) ?? wholeReason(decision) ?? 'follows none of the configs it references'),
    visibleKeys: keys,
    ...(key === undefined ? {} : { wouldRoll: followed.some((c) => c.wouldRoll === true) }),
    decision: kind,
    status: words,
    configs,
  };
}

function header(
  workload: WorkloadRecord,
  decision: Decision,
  context: ExplainContext,
): Pick<WorkloadExplanation, 'decision' | 'status'> {
  return { decision: decision.kind, status: leftOut(workload, context) ?? status(decision) };
}

/** Why the controller does not look at the workload at all, if it does not. */
function leftOut(workload: WorkloadRecord, context: ExplainContext): string | undefined {
  if (!context.scope.inScope) return context.scope.reason;
  return context.ignoredWorkloadKinds.has(workload.kind)
    ? `${workload.kind}s are ignored (--ignored-workload-types)`
    : undefined;
}

function explainConfig(
  workload: WorkloadRecord,
  decision: Decision,
  verdict: ConfigVerdict | undefined,
  config: ConfigQuestion,
  context: ExplainContext,
  key: string | undefined,
): ConfigExplanation {
  const explained = configExplanation(workload, decision, verdict, config, context);
  if (key === undefined) return explained;
  return {
    ...explained,
    wouldRoll:
      explained.follows && wouldRoll(workload, decision, { kind: config.kind, name: config.name, key }, context),
  };
}

const RULE_ORDER: readonly FollowRule[] = [
  'named-list',
  'search-match',
  'auto',
  'typed-auto',
  'auto-reload-all',
  'enabled-label',
];

function wouldRollField(config: ConfigExplanation): { wouldRoll?: boolean } {
  return config.wouldRoll === undefined ? {} : { wouldRoll: config.wouldRoll };
}

function configExplanation(
  workload: WorkloadRecord,
  decision: Decision,
  verdict: ConfigVerdict | undefined,
  config: ConfigQuestion,
  context: ExplainContext,
): ConfigExplanation {
  const ref = workload.references.find((r) => r.kind === config.kind && r.name === config.name);
  // A config only a named list selects counts with all its keys.
  const keys = verdict?.visibleKeys ?? ref?.keys ?? 'all';
  const visibleKeys = keys === 'all' ? ['*'] : [...keys];
  const present = context.view.get(config.kind, config.name) !== undefined;
  const state = present ? 'present' : ref?.optional === true ? 'missing, optional' : 'missing';
  const facts = context.facts(workload);
  const uses = useViews(facts.uses, config.kind, config.name);
  const explained = (
    follows: boolean,
    rule: FollowRule | null,
    reason: string | null,
    change: ConfigChange | null,
  ): ConfigExplanation => {
    const note = change === 'changed' ? recreatedNote(config, facts, context) : null;
    return { kind: config.kind, name: config.name, follows, rule, reason, visibleKeys, state, change, uses, note };
  };
  const left = leftOut(workload, context);
  if (left !== undefined) return explained(false, null, left, null);
  if (verdict === undefined) return explained(false, null, wholeReason(decision) ?? 'not judged', null);
  if (!verdict.follows) return explained(false, null, skipReason(verdict.cause, config.kind, context), null);
  return explained(true, verdict.rule, null, verdict.change);
}

/**
 * A changed config created after the record was last written was deleted
 * and created again since. The controller records such a config without a
 * roll when its data is the same and it saw the deletion while watching
 * (`ConfigView.formerUid`, kept in its memory only); its data digests are
 * keyed by uid, so explain, which read the cluster once, can tell neither,
 * and answers as a controller that did not see it (one started since).
 */
function recreatedNote(config: ConfigQuestion, facts: WorkloadFacts, context: ExplainContext): string | null {
  const created = context.createdAt(config.kind, config.name);
  const written = facts.recordWrittenAt;
  if (created === undefined || written === undefined || created <= written) return null;
  return (
    `${config.kind}/${config.name} was created again (${rfc3339Seconds(created)}) after the record was written ` +
    `(${rfc3339Seconds(written)}): if its data is the same, a controller that saw the deletion only records it; ` +
    'explain cannot know that and answers as one that did not'
  );
}

/** RFC 3339 in whole seconds, as the API server writes its timestamps. */
export function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Why a workload follows nothing at all, when the decision says so. */
function wholeReason(decision: Decision): string | undefined {
  const skip =
    decision.kind === 'skip'
      ? decision
      : decision.kind === 'hold' && decision.held.kind === 'skip'
        ? decision.held
        : decision.kind === 'resume'
          ? decision.after
          : undefined;
  if (skip === undefined || skip.why === 'unchanged' || skip.why === 'follows-nothing') return undefined;
  return skip.detail;
}

/** Each config kind's exclude and typed-auto annotations in the table. */
const EXCLUDE_ANNOTATION = {
  ConfigMap: 'configMapExclude',
  Secret: 'secretExclude',
  SecretProviderClass: 'secretProviderClassExclude',
} as const;
const AUTO_ANNOTATION = {
  ConfigMap: 'configMapAuto',
  Secret: 'secretAuto',
  SecretProviderClass: 'secretProviderClassAuto',
} as const;

/** A skip cause in words that name the annotation or flag behind it. */
function skipReason(cause: SkipCause, kind: ConfigKind, context: ExplainContext): string {
  const a = context.settings.optIn.annotations;
  switch (cause) {
    case 'kind-ignored':
      return kind === 'SecretProviderClass'
        ? 'explain does not judge SecretProviderClasses (their versions are in pod statuses); the controller follows them with --enable-csi-integration'
        : `${kind}s are ignored (--resources-to-ignore)`;
    case 'config-ignored':
      return `the ${kind} carries ${a.ignore} "true"`;
    case 'not-reported':
      return `no pod status reports the versions of this ${kind} yet`;
    case 'excluded':
      return `excluded by the workload's ${a[EXCLUDE_ANNOTATION[kind]]}`;
    case 'no-match':
      return `the workload is in search mode (${a.search}) and the ${kind} lacks ${a.match} "true"`;
    case 'not-opted-in':
      return `not opted in: no ${a.auto} or ${a[AUTO_ANNOTATION[kind]]} "true" on the workload, no named list naming it, no ${context.enabledLabel} label on the ${kind}, no --auto-reload-all`;
  }
}

/** The decision in words: what the controller does next, and how the record compares with the data now. */
function status(decision: Decision): string {
  switch (decision.kind) {
    case 'skip':
      return decision.why === 'unchanged' ? 'up to date: its record matches the data its pods see' : decision.detail;
    case 'adopt':
      return 'no record yet: the controller adopts it (records what its pods see) without rolling';
    case 'record':
      return 'its record differs from the data in a way that needs no roll; the controller rewrites the record';
    case 'roll':
      return `changed since its last roll (${decision.changed.join(', ')}): the controller rolls it at its next look`;
    case 'hold':
      return holdStatus(decision);
    case 'resume':
      return `its pause period (since ${decision.pausedAt}) is over: the controller resumes it`;
  }
}

/** Why a held workload waits, and until when. */
function holdStatus(decision: HoldDecision): string {
  const until = decision.until === undefined ? '' : `, until ${new Date(decision.until).toISOString()}`;
  const { reason } = decision;
  switch (reason.why) {
    case 'config-missing':
      return `changed, but held: ${reason.missing.join(', ')} is missing and new pods could not start`;
    case 'pause-period':
      return `paused since ${reason.pausedAt} for its pause period${until}`;
    case 'freeze':
      return `held while ${reason.namespace === undefined ? 'its freeze annotation is "true"' : `Namespace ${reason.namespace} is frozen`}; it rolls once with the newest data when the freeze is lifted`;
    case 'maintenance-window':
      return `held outside ${reason.namespace === undefined ? 'its maintenance window' : `the maintenance window of Namespace ${reason.namespace}`}${decision.until === undefined ? '' : `; the next window opens at ${new Date(decision.until).toISOString()}`}`;
    case 'roll-loop':
      return `held as a restart loop: rolled ${reason.rolls} times within ${durationText(reason.windowMs)}; it rolls once with the newest data${decision.until === undefined ? '' : ` at ${new Date(decision.until).toISOString()}`}`;
    case 'wave':
    case 'halted':
      return `held: ${waveHoldText(reason, decision.until)}`;
  }
}

/**
 * Whether a change to `question.key` of the config would roll the workload:
 * `decide` again, on the workload as if its record were current and on the
 * config with that key's value changed (added, when it has no such key).
 */
function wouldRoll(
  workload: WorkloadRecord,
  decision: Decision,
  question: ConfigQuestion & { key: string },
  context: ExplainContext,
): boolean {
  const record = currentRecord(workload, decision);
  if (record === undefined) return false;
  const view = withChangedKey(context.view, question.kind, question.name, question.key);
  return decide({ ...workload, record }, view, context.settings, context.now).kind === 'roll';
}

/** The record the workload would hold once the controller caught up with the data of now. */
function currentRecord(workload: WorkloadRecord, decision: Decision): ConfigRecord | undefined {
  switch (decision.kind) {
    case 'adopt':
    case 'record':
    case 'roll':
      return decision.record;
    case 'hold':
      return decision.held.kind === 'roll' ? decision.held.record : workload.record;
    default:
      return workload.record;
  }
}

/** A digest no value has: keys hold 22 base64url characters. */
const CHANGED_DIGEST = '(changed)';

function withChangedKey(view: ConfigView, kind: ConfigKind, name: string, key: string): ConfigView {
  return {
    get: (k, n): ConfigEntry | undefined => {
      const entry = view.get(k, n);
      if (k !== kind || n !== name) return entry;
      const digests = new Map(entry?.digests ?? []);
      digests.set(key, CHANGED_DIGEST);
      return { uid: '', enabled: false, ignored: false, match: false, ...entry, digests };
    },
    names: (k) => view.names(k),
    formerUid: (k, n) => view.formerUid(k, n),
    namespace: view.namespace,
  };
}
