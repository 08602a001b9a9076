import { referenceKey, type ConfigId } from '../model/config-id.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import { configHash } from './config-hash.ts';
import { compareRecords, parseEntry, type ConfigRecord, type RecordChanges } from '../model/config-record.ts';
import { withRollAt } from '../model/roll-times.ts';
import { currentRecord, recordEntry } from './current-record.ts';
import type {
  ConfigChange,
  ConfigVerdict,
  ConfigView,
  Decision,
  DecideSettings,
  Findings,
  HoldDecision,
  Recollection,
  ResumeDecision,
  RollDecision,
  RollPause,
  SkipDecision,
  SkipWhy,
  UnfollowedVerdict,
} from './decision.ts';
import { decideOptIn, hasExplicitOptIn, type FollowedRef, type OptInSettings, type SkippedConfig } from './opt-in.ts';
import { pausePeriod } from './pause-period.ts';
import { rollLoopHold } from './roll-loop.ts';
import { rolloutHold } from './rollout-hold.ts';
import { waveHold } from './wave-hold.ts';
import { templateMark, type FollowedConfig, type RollPlan } from './reload-strategy.ts';

const NO_FINDINGS: Findings = { invalid: [], notBooleans: [] };

/**
 * Decides what to do with one workload: what its pods see of each config it
 * follows, as the caches hold it now, against the record of what they were
 * rolled or adopted with. Pure: it reads only its arguments (the caches
 * through `configs`, the clock as `now`) and writes nothing.
 *
 * - No record: adopt. The baseline is what the workload followed when the
 *   controller first saw it (`recollection.firstSight`), so a change that
 *   landed after that rolls it once; without one, the data of now.
 * - Same record: skip, unchanged. A restart or a resync rolls nothing.
 * - A followed config's visible data changed: roll once. A config created or
 *   deleted rolls only with --reload-on-create / --reload-on-delete;
 *   otherwise, like any difference that needs no roll (a config newly
 *   followed, a template edit that restarted the pods anyway, a config
 *   recreated with the same data), it is only recorded.
 * - A roll is held while a non-optional config it follows is missing: new
 *   pods could not start.
 * - A roll is held while the workload or its Namespace (`configs.namespace`)
 *   is frozen, and outside its maintenance windows (its own, else its
 *   Namespace's, else --maintenance-window) until the next opens. Held, its
 *   record is not written, so the change stays pending and rolls once, with
 *   the newest data, after.
 * - A roll is held as a restart loop when the workload's roll times show
 *   --max-rolls-per-workload rolls within --roll-loop-window, until the
 *   window has passed since the last; then it rolls once, with the newest
 *   data. Its record is not written either.
 * - A roll for a config with a wave plan waits until every wave before its
 *   own rolled and became healthy, and is held for good when the plan
 *   halted (see `waveGate`).
 * - Nothing to roll for a Deployment we paused: hold until its pause period
 *   is over, then resume it.
 */
export function decide(
  workload: WorkloadRecord,
  configs: ConfigView,
  settings: DecideSettings,
  now: number,
  recollection: Recollection = {},
): Decision {
  const refused = jobRefusal(workload, settings.optIn);
  if (refused !== undefined) return { kind: 'skip', ...refused, configs: [], findings: NO_FINDINGS };
  const optIn = decideOptIn(workload, configs, settings.optIn, settings.nameLists);
  if (optIn.optedOut)
    return settle(workload, settings, now, {
      kind: 'skip',
      why: 'opted-out',
      detail: optIn.reason,
      configs: [],
      findings: NO_FINDINGS,
    });
  const findings: Findings = { invalid: optIn.invalidPatterns, notBooleans: optIn.notBooleans };
  const unfollowed = optIn.skipped.map(unfollowedVerdict);
  if (optIn.counted.length === 0)
    return settle(workload, settings, now, {
      kind: 'skip',
      why: 'follows-nothing',
      detail: 'follows no config',
      configs: unfollowed,
      findings,
    });

  const counted = keyed(optIn.counted, configs);
  const record = currentRecord(counted);
  const before = workload.record ?? recollection.firstSight ?? record;
  // A record of an earlier release is compared in its own, unkeyed terms: unchanged data writes nothing.
  const compared = before.version === record.version ? record : currentRecord(counted, before.version);
  const changes = compareRecords(before, compared);
  const dataChanged = changes.changed.filter((id) => !recreatedAlike(id, counted, before, configs));
  const rollFor = [
    ...dataChanged,
    ...(settings.reloadOnCreate ? changes.created : []),
    ...(settings.reloadOnDelete ? changes.deleted : []),
  ];
  const verdicts: ConfigVerdict[] = [
    ...counted.map((c) => {
      const id = referenceKey(c.ref.kind, c.ref.name);
      const change = configChange(id, before, compared, changes, dataChanged);
      const { kind, name, keys, optional } = c.ref;
      return {
        id,
        kind,
        name,
        visibleKeys: keys,
        follows: true as const,
        rule: c.rule,
        present: c.digests !== undefined,
        optional,
        change,
        rolls: rollFor.includes(id),
      };
    }),
    ...unfollowed,
  ];
  const judged = { configs: verdicts, findings };

  if (rollFor.length === 0) {
    if (workload.record === undefined) return { kind: 'adopt', record, ...judged };
    if (!changes.differs)
      return settle(workload, settings, now, { kind: 'skip', why: 'unchanged', detail: 'config unchanged', ...judged });
    return { kind: 'record', record, created: changes.created, deleted: changes.deleted, ...judged };
  }
  const roll = rollDecision(workload, counted, record, rollFor, settings, now, recollection.causes ?? [], judged);
  const missing = counted
    .filter((c) => c.digests === undefined && !c.ref.optional)
    .map((c) => referenceKey(c.ref.kind, c.ref.name));
  if (missing.length > 0)
    return { kind: 'hold', reason: { why: 'config-missing', missing }, until: undefined, held: roll, ...judged };
  const { hold, findings: found } = rolloutHold(workload, configs.namespace, settings, now, findings);
  if (hold !== undefined)
    return { kind: 'hold', ...hold, held: { ...roll, findings: found }, configs: verdicts, findings: found };
  const loop = rollLoopHold(workload.rolledAt, settings.rollLoop, now);
  if (loop !== undefined)
    return {
      kind: 'hold',
      reason: { why: 'roll-loop', rolls: loop.rolls, windowMs: settings.rollLoop.windowMs },
      until: loop.until,
      held: { ...roll, findings: found },
      configs: verdicts,
      findings: found,
    };
  const waved = waveHold(workload, roll, configs, now);
  const ready = { ...roll, findings: found, ...(waved.wave === undefined ? {} : { wave: waved.wave }) };
  if (waved.hold !== undefined) return { kind: 'hold', ...waved.hold, held: ready, configs: verdicts, findings: found };
  return found === findings && waved.wave === undefined ? roll : ready;
}

/**
 * The record of what the workload's pods see now of the configs it follows;
 * undefined when it follows none. What the controller holds as a workload's
 * first sight.
 */
export function recordNow(
  workload: WorkloadRecord,
  configs: ConfigView,
  settings: DecideSettings,
): ConfigRecord | undefined {
  if (jobRefusal(workload, settings.optIn) !== undefined) return undefined;
  const optIn = decideOptIn(workload, configs, settings.optIn, settings.nameLists);
  if (optIn.optedOut || optIn.counted.length === 0) return undefined;
  return currentRecord(keyed(optIn.counted, configs));
}

/** Kinds that follow configs only under conditions of their own. */
export function jobRefusal(
  workload: WorkloadRecord,
  settings: OptInSettings,
): { readonly why: SkipWhy; readonly detail: string } | undefined {
  if (workload.runBy !== undefined)
    return {
      why: 'run-by-rollout',
      detail: `its pod template is run by ${workload.runBy} through spec.workloadRef; the Rollout is rolled instead`,
    };
  if (workload.kind !== 'Job') return undefined;
  if (workload.controllerKind === 'CronJob')
    return { why: 'cronjob-run', detail: 'a Job run by a CronJob; the CronJob is rolled instead' };
  if (!hasExplicitOptIn(workload, settings))
    return { why: 'job-not-opted-in', detail: 'a Job is recreated only when it opts in with an annotation of its own' };
  return undefined;
}

function unfollowedVerdict({ ref, cause, reason }: SkippedConfig): UnfollowedVerdict {
  return {
    id: referenceKey(ref.kind, ref.name),
    kind: ref.kind,
    name: ref.name,
    visibleKeys: ref.keys,
    follows: false,
    cause,
    reason,
  };
}

/** The configs with the uids that key their hashes, read from the same cache state as their digests. */
function keyed(counted: readonly FollowedRef[], configs: ConfigView): FollowedRef[] {
  return counted.map((c) => {
    const uid = c.digests === undefined ? undefined : configs.get(c.ref.kind, c.ref.name)?.uid;
    return uid === undefined ? c : { ...c, uid };
  });
}

/**
 * Whether a changed entry is that of a config deleted and created again (a
 * new uid, a new key) with the same data while the controller watched:
 * recorded, not rolled.
 */
function recreatedAlike(
  id: ConfigId,
  counted: readonly FollowedRef[],
  before: ConfigRecord,
  configs: ConfigView,
): boolean {
  if (before.version !== 2) return false;
  const config = counted.find((c) => referenceKey(c.ref.kind, c.ref.name) === id);
  const former = config === undefined ? undefined : configs.formerUid(config.ref.kind, config.ref.name);
  return (
    config !== undefined && former !== undefined && recordEntry({ ...config, uid: former }) === before.entries.get(id)
  );
}

function configChange(
  id: ConfigId,
  before: ConfigRecord,
  now: ConfigRecord,
  changes: RecordChanges,
  dataChanged: readonly ConfigId[],
): ConfigChange {
  const old = before.entries.get(id);
  if (old === undefined) return 'new';
  if (old === now.entries.get(id)) return 'unchanged';
  if (changes.created.includes(id)) return 'created';
  if (changes.deleted.includes(id)) return 'deleted';
  if (changes.changed.includes(id)) return dataChanged.includes(id) ? 'changed' : 'recreated';
  return 'view-changed';
}

/** A skip for a Deployment we paused waits for the end of its pause period, then resumes it (also after a restart of the controller). */
function settle(
  workload: WorkloadRecord,
  settings: DecideSettings,
  now: number,
  skip: SkipDecision,
): SkipDecision | HoldDecision | ResumeDecision {
  const { pausedAt } = workload;
  if (workload.kind !== 'Deployment' || pausedAt === undefined) return skip;
  const period = pausePeriod(workload, settings.annotations.pausePeriod);
  const findings =
    period.kind === 'invalid'
      ? { ...skip.findings, invalid: [...skip.findings.invalid, period.problem] }
      : skip.findings;
  const due = Date.parse(pausedAt) + (period.kind === 'period' ? period.ms : 0);
  if (Number.isFinite(due) && now < due)
    return {
      kind: 'hold',
      reason: { why: 'pause-period', pausedAt },
      until: due,
      held: skip,
      configs: skip.configs,
      findings,
    };
  return { kind: 'resume', pausedAt, after: skip, configs: skip.configs, findings };
}

function rollDecision(
  workload: WorkloadRecord,
  counted: readonly FollowedRef[],
  record: ConfigRecord,
  rollFor: readonly ConfigId[],
  settings: DecideSettings,
  now: number,
  causes: readonly ConfigId[],
  judged: Pick<RollDecision, 'configs' | 'findings'>,
): RollDecision {
  const configs: FollowedConfig[] = counted.map((c) => {
    const entry = record.entries.get(referenceKey(c.ref.kind, c.ref.name)) ?? '';
    return {
      kind: c.ref.kind,
      name: c.ref.name,
      hash: c.digests === undefined ? undefined : parseEntry(entry).data,
      containers: c.ref.containers,
    };
  });
  const triggerId = causes.find((c) => rollFor.includes(c)) ?? rollFor[0];
  const trigger = configs.find((c) => referenceKey(c.kind, c.name) === triggerId) ?? configs[0];
  if (trigger === undefined) throw new Error('a roll needs a config to attribute it to');
  const plan: RollPlan = {
    combined: configHash(counted),
    configs,
    trigger,
    namespace: workload.namespace,
    containers: workload.containers,
    observedAt: Math.floor(now / 1000),
  };
  const annotation = settings.annotations.rolloutStrategy;
  return {
    kind: 'roll',
    changed: rollFor,
    record,
    rolledAt: withRollAt(workload.rolledAt, now),
    plan,
    mark: templateMark(settings.strategy, plan, settings.hashAnnotation),
    pause: rollPause(workload, settings, now),
    restart:
      workload.kind === 'Rollout' &&
      (workload.annotations[annotation] ?? workload.templateAnnotations[annotation]) === 'restart',
    ...judged,
  };
}

/** A roll pauses a Deployment with a pause period; one already paused keeps the time it was paused. */
function rollPause(workload: WorkloadRecord, settings: DecideSettings, now: number): RollPause {
  const period = pausePeriod(workload, settings.annotations.pausePeriod);
  if (period.kind !== 'period') return period.kind === 'invalid' ? period : { kind: 'none' };
  const pausedAt = workload.pausedAt ?? new Date(now).toISOString();
  return { kind: 'pause', pausedAt, until: Date.parse(pausedAt) + period.ms };
}
