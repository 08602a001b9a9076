import type { AnnotationNames } from '../model/annotations.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import type { ConfigId } from '../model/config-id.ts';
import type { ConfigRecord } from '../model/config-record.ts';
import type { RollTimes } from '../model/roll-times.ts';
import type { MaintenanceWindow } from './maintenance-window.ts';
import type { InvalidPattern, NameList } from './name-list.ts';
import type { RollLoopLimit } from './roll-loop.ts';
import type { NamespaceHolds } from './namespace-holds.ts';
import type { ConfigLookup, FollowRule, NotBoolean, OptInSettings, SkipCause } from './opt-in.ts';
import type { ReloadStrategy, RollPlan, TemplateMark } from './reload-strategy.ts';
import type { Follower, WaveHoldReason, WavePlan } from './wave-gate.ts';

/**
 * What `decide` makes of one workload, as a tagged union on `kind`. The
 * reconciler carries it out; `explain` can render it. Every variant carries
 * `configs` (the verdict on each config the workload references or names,
 * empty when the workload as a whole is left alone) and `findings` (bad
 * annotation values to report).
 *
 * - `skip`: nothing to write, and why.
 * - `adopt`: a workload without a record; write `record`, roll nothing.
 * - `record`: something differs that needs no roll; write `record` only.
 * - `roll`: roll with `mark` and write `record` in the same write.
 * - `hold`: something keeps the workload as it is until `until` (epoch ms;
 *   undefined: until something changes). `held` is what stands behind the
 *   hold: the roll it holds back, or the skip it waits on.
 * - `resume`: a Deployment we paused has served its pause period.
 */
export type Decision = SkipDecision | AdoptDecision | RecordDecision | RollDecision | HoldDecision | ResumeDecision;

/** What the caches hold about the configs of the workload's namespace, and about the namespace itself. */
export interface ConfigView extends ConfigLookup {
  /** The uid the config of that name had before it was deleted or replaced while watched, if remembered. */
  formerUid(kind: ConfigKind, name: string): string | undefined;
  /** The config's wave plan for its data now, with its followers; undefined when it rolls without waves. Absent: no plans at all. */
  readonly waves?: (
    kind: ConfigKind,
    name: string,
  ) => { readonly plan: WavePlan; readonly followers: readonly Follower[] } | undefined;
  /** What the Namespace's freeze and maintenance-window annotations say; undefined when nothing (or not known). */
  readonly namespace?: NamespaceHolds | undefined;
}

/** The switches and annotation names the decision reads. */
export interface DecideSettings {
  readonly optIn: OptInSettings;
  readonly strategy: ReloadStrategy;
  readonly hashAnnotation: string;
  /** Read here: pausePeriod, rolloutStrategy, freeze and maintenanceWindow. */
  readonly annotations: AnnotationNames;
  readonly reloadOnCreate: boolean;
  readonly reloadOnDelete: boolean;
  /** --maintenance-window: when a workload without a window of its own may roll; empty: always. */
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  /** --max-rolls-per-workload within --roll-loop-window: the restart-loop breaker. */
  readonly rollLoop: RollLoopLimit;
  /** Compiles named lists; its engine must be loaded before deciding for a workload that has one (`hasNamedList`). */
  readonly nameLists: { compile(value: string): NameList };
}

/** What the controller remembers beyond its caches. */
export interface Recollection {
  /** For a workload without a record: what it followed when the controller first saw it (`FirstSight`). */
  readonly firstSight?: ConfigRecord;
  /** Config ids seen changing since the last look. They only pick the config a roll is attributed to, never whether it rolls. */
  readonly causes?: readonly ConfigId[];
}

/**
 * How a followed config's visible data compares with the workload's record
 * (or, without one, with its first sight).
 *
 * - `new`: not in the record (newly followed);
 * - `view-changed`: a template edit changed which keys the pods see;
 * - `recreated`: deleted and created again with the same data while watched.
 */
export type ConfigChange = 'unchanged' | 'new' | 'view-changed' | 'changed' | 'recreated' | 'created' | 'deleted';

interface ConfigIdentity {
  /** `ConfigMap/app`: the record's key for it. */
  readonly id: ConfigId;
  readonly kind: ConfigKind;
  readonly name: string;
  /** The keys its pods can see: 'all', or the key names a key-level reference lists. */
  readonly visibleKeys: 'all' | readonly string[];
}

export interface FollowedVerdict extends ConfigIdentity {
  readonly follows: true;
  readonly rule: FollowRule;
  readonly present: boolean;
  /** Every use of it in the pod is optional: the pods can start without it. */
  readonly optional: boolean;
  readonly change: ConfigChange;
  /** Its change alone asks for a roll (which a hold may still keep back). */
  readonly rolls: boolean;
}

export interface UnfollowedVerdict extends ConfigIdentity {
  readonly follows: false;
  readonly cause: SkipCause;
  readonly reason: string;
}

export type ConfigVerdict = FollowedVerdict | UnfollowedVerdict;

/** Annotation values that are not used, to report. */
export interface Findings {
  readonly invalid: readonly InvalidPattern[];
  readonly notBooleans: readonly NotBoolean[];
}

interface Judged {
  readonly configs: readonly ConfigVerdict[];
  readonly findings: Findings;
}

/**
 * - `cronjob-run`, `job-not-opted-in`: a Job follows configs only on terms of its own;
 * - `run-by-rollout`: a Deployment whose template an Argo Rollout runs through spec.workloadRef (the Rollout rolls);
 * - `opted-out`: auto "false";
 * - `follows-nothing`: no config it references or names is followed;
 * - `unchanged`: the record matches what the pods see.
 */
export type SkipWhy =
  'cronjob-run' | 'job-not-opted-in' | 'run-by-rollout' | 'opted-out' | 'follows-nothing' | 'unchanged';

export interface SkipDecision extends Judged {
  readonly kind: 'skip';
  readonly why: SkipWhy;
  /** The same, in words for a log line. */
  readonly detail: string;
}

export interface AdoptDecision extends Judged {
  readonly kind: 'adopt';
  readonly record: ConfigRecord;
}

export interface RecordDecision extends Judged {
  readonly kind: 'record';
  readonly record: ConfigRecord;
  /** Config ids created and deleted since the record, which roll nothing without their flag. */
  readonly created: readonly ConfigId[];
  readonly deleted: readonly ConfigId[];
}

/** What a roll does to a Deployment's pause. */
export type RollPause =
  | { readonly kind: 'none' }
  /** Pause it (or keep it paused) since `pausedAt` (ISO time), until `until` (epoch ms). */
  | { readonly kind: 'pause'; readonly pausedAt: string; readonly until: number }
  /** The pause-period annotation does not parse or is too long: roll unpaused, and report it. */
  | { readonly kind: 'invalid'; readonly problem: InvalidPattern };

export interface RollDecision extends Judged {
  readonly kind: 'roll';
  /** Config ids whose change starts the roll: changed, then created, then deleted, each sorted. */
  readonly changed: readonly ConfigId[];
  /** The record to write with it. */
  readonly record: ConfigRecord;
  /** The workload's roll times with this one, to write with it. */
  readonly rolledAt: RollTimes;
  readonly plan: RollPlan;
  /** The strategy's mark on the pod template. */
  readonly mark: TemplateMark;
  readonly pause: RollPause;
  /** Argo Rollouts with `rollout-strategy: restart`: set spec.restartAt instead of the mark. */
  readonly restart: boolean;
  /** Its wave in the wave plan of the config it is attributed to, if that config has one. */
  readonly wave?: { readonly wave: number; readonly of: number };
}

/** Why a hold keeps a workload as it is. Safe rollouts add their reasons here. */
export type HoldReason =
  /** A Deployment we paused (since `pausedAt`): its rollout waits for the end of the period. */
  | { readonly why: 'pause-period'; readonly pausedAt: string }
  /** Non-optional configs it follows are missing: new pods could not start. */
  | { readonly why: 'config-missing'; readonly missing: readonly ConfigId[] }
  /** Its freeze annotation, or its Namespace's (then `namespace` names it), is "true": it rolls when the freeze is lifted. */
  | { readonly why: 'freeze'; readonly namespace?: string }
  /**
   * Outside its maintenance windows (its annotation's, else its Namespace's,
   * then named in `namespace`, else --maintenance-window's): it rolls when
   * the next opens, at `until`.
   */
  | { readonly why: 'maintenance-window'; readonly namespace?: string }
  /** Rolled `rolls` times within `windowMs` (its roll times say so): it rolls once more when the window has passed since its last roll, at `until`. */
  | { readonly why: 'roll-loop'; readonly rolls: number; readonly windowMs: number }
  /** A wave plan's gate: its wave waits for the one before, or the plan halted. */
  | WaveHoldReason;

export interface HoldDecision extends Judged {
  readonly kind: 'hold';
  readonly reason: HoldReason;
  /** Epoch ms when the hold ends by itself; undefined when only a change ends it. */
  readonly until: number | undefined;
  readonly held: RollDecision | SkipDecision;
}

export interface ResumeDecision extends Judged {
  readonly kind: 'resume';
  readonly pausedAt: string;
  /** What the workload's configs come to besides the pause. */
  readonly after: SkipDecision;
}
