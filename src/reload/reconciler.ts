import type { ConfigCache } from '../config/config-cache.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { Logger } from '../logger.ts';
import type { TokenBucket } from '../queue/token-bucket.ts';
import { parseDuration } from '../duration.ts';
import { referenceKey } from '../workload/pod-references.ts';
import { kindInfo } from '../workload/workload-kind.ts';
import type { WorkloadCache, WorkloadRecord } from '../workload/workload-cache.ts';
import { configHash, type CountedConfig } from './config-hash.ts';
import { compareRecords, currentRecord, recordEntry, type ConfigRecord } from './config-record.ts';
import { FirstSight } from './first-sight.ts';
import { NameListCompiler, type InvalidPattern } from './name-list.ts';
import { decideOptIn, hasExplicitOptIn, hasNamedList, type OptInResult, type OptInSettings } from './opt-in.ts';
import { templateMark, type FollowedConfig, type ReloadStrategy, type RollPlan } from './reload-strategy.ts';
import type { RollEffects, WorkloadWriter } from './workload-writer.ts';

/** A longer pause-period is ignored: a Deployment paused for years is a mistake or an attack, not a batching window. */
export const MAX_PAUSE_PERIOD_MS = 24 * 3_600_000;

/** `skipped`: opted out or follows nothing; `waiting`: would roll, but a config it needs is missing. */
export type ReconcileOutcome = 'rolled' | 'dry_run' | 'notified' | 'adopted' | 'recorded' | 'resumed' | 'unchanged' | 'skipped' | 'waiting' | 'gone';

export interface ReconcileResult {
  readonly outcome: ReconcileOutcome;
  /** Look again after this long (a pause period running out). */
  readonly requeueAfterMs?: number;
}

/** A roll, as the alerting and the webhook describe it. */
export interface RollNotice {
  readonly workload: { readonly kind: string; readonly namespace: string; readonly name: string };
  /** The configs whose change starts the roll. */
  readonly changed: readonly { readonly kind: 'ConfigMap' | 'Secret'; readonly name: string }[];
  readonly follows: readonly { readonly kind: 'ConfigMap' | 'Secret'; readonly name: string }[];
  readonly hash: string;
}

export interface ReconcilerSettings {
  readonly optIn: OptInSettings;
  readonly strategy: ReloadStrategy;
  readonly hashAnnotation: string;
  readonly pausePeriodAnnotation: string;
  readonly rolloutStrategyAnnotation: string;
  readonly reloadOnCreate: boolean;
  readonly reloadOnDelete: boolean;
  readonly dryRun: boolean;
}

export interface ReconcilerDeps {
  readonly workloads: WorkloadCache;
  readonly configs: ConfigCache;
  readonly writer: Pick<WorkloadWriter, 'record' | 'roll' | 'resume' | 'finishPending'>;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly rollLimiter: Pick<TokenBucket, 'take'>;
  /** Paces adoption writes: a first start writes to every workload it follows. */
  readonly adoptionLimiter: Pick<TokenBucket, 'take'>;
  readonly settings: ReconcilerSettings;
  readonly logger: Logger;
  /** --webhook-url: told instead of rolling; rejects when the receiver did not take it. */
  readonly webhook?: (notice: RollNotice) => Promise<void>;
  /** Alerts: told after each roll; never blocks. */
  readonly rolled?: (notice: RollNotice) => void;
  readonly now?: () => number;
  /** Un-adopted workloads whose first-sight record is kept (default 10,000). */
  readonly maxFirstSights?: number;
}

/**
 * Converges one workload: what its pods see of each config it follows, as
 * the caches hold it now, against the record of what they were rolled or
 * adopted with.
 *
 * Contract (as controller-runtime's Reconciler): it reads only caches, it is
 * idempotent, and it may be called any number of times for the same key. It
 * throws when a write failed; the caller retries with backoff. `causes` only
 * enrich the Event text; the decision never depends on them.
 *
 * - No record: the workload is adopted. Its pods are taken to match the
 *   data as it was when the controller first saw the workload (see
 *   `sawWorkload`), which is recorded on its metadata: no rollout.
 *   Installing the controller therefore rolls nothing. A change that
 *   landed after first sight rolls it once, however earlier attempts to
 *   write the record fared.
 * - Same record: nothing to do. A restart or a resync rolls nothing.
 * - A followed config's visible data changed: roll once, with the strategy's
 *   mark, and record the new state in the same write. A config created, or
 *   deleted, rolls only with --reload-on-create / --reload-on-delete;
 *   otherwise, like any difference that needs no roll (a config newly
 *   followed, a template edit that restarted the pods anyway), it is only
 *   recorded. Not while a non-optional config it follows is missing: new
 *   pods could not start, so it waits for the config to come back.
 */
export class Reconciler {
  readonly #deps: ReconcilerDeps;
  readonly #now: () => number;
  readonly #reported = new Set<string>();
  readonly #nameLists = new NameListCompiler();
  readonly #firstSight: FirstSight;

  constructor(deps: ReconcilerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#firstSight = new FirstSight(deps.maxFirstSights ?? 10_000);
  }

  /**
   * Notes the moment the controller sees `key`: call it synchronously when
   * the workload cache reports a change of it once the caches are synced,
   * and for each workload at the start-up pass. A workload not adopted yet
   * keeps what it follows as of its first sight, until its record is
   * written or it is gone.
   */
  sawWorkload(key: string): void {
    const workload = this.#deps.workloads.get(key);
    if (workload === undefined || workload.record !== undefined) {
      this.#firstSight.drop(key);
      return;
    }
    if (this.#firstSight.has(key, workload.uid) || this.#refusal(workload) !== undefined) return;
    // Named lists need the regex engine, which loads on first use: until then
    // such a workload's first sight is taken by its first reconcile instead.
    if (hasNamedList(workload, this.#deps.settings.optIn) && !this.#nameLists.loaded) return;
    const decision = this.#decide(workload);
    if (decision.optedOut || decision.counted.length === 0) return;
    this.#holdFirstSight(key, workload, currentRecord(this.#keyed(workload, decision.counted)));
  }

  async reconcile(key: string, causes: readonly string[] = []): Promise<ReconcileResult> {
    const { workloads, settings, logger, writer } = this.#deps;
    const workload = workloads.get(key);
    if (workload === undefined) {
      this.#firstSight.drop(key);
      if (!settings.dryRun && await writer.finishPending(key)) logger.info({ workload: key }, 'recreated the Job');
      return { outcome: 'gone' };
    }
    const log = logger.child({ workload: key });

    const refusal = this.#refusal(workload);
    if (refusal !== undefined) {
      log.debug({ reason: refusal }, 'not rolled: workload opted out');
      return { outcome: 'skipped' };
    }
    if (hasNamedList(workload, settings.optIn)) await this.#nameLists.load();
    const decision = this.#decide(workload);
    if (decision.optedOut) {
      log.debug({ reason: decision.reason }, 'not rolled: workload opted out');
      return this.#afterPause(workload, { outcome: 'skipped' }, log);
    }
    for (const bad of decision.invalidPatterns) this.#reportInvalid(workload, bad, log);
    for (const { annotation, value } of decision.notBooleans) log.debug({ annotation, value }, `${annotation}: ${JSON.stringify(value)} is not a boolean, treated as absent`);
    for (const { ref, reason } of decision.skipped) log.debug({ config: referenceKey(ref.kind, ref.name), reason }, 'config not followed');
    if (decision.counted.length === 0) {
      log.debug('not rolled: follows no config');
      return this.#afterPause(workload, { outcome: 'skipped' }, log);
    }

    const counted = this.#keyed(workload, decision.counted);
    const record = currentRecord(counted);
    const before = workload.record ?? this.#holdFirstSight(key, workload, record);
    // A record of an earlier release is compared in its own, unkeyed terms: unchanged data writes nothing.
    const changes = compareRecords(before, before.version === record.version ? record : currentRecord(counted, before.version));
    const rollFor = [...this.#dataChanged(workload, counted, before, changes.changed), ...(settings.reloadOnCreate ? changes.created : []), ...(settings.reloadOnDelete ? changes.deleted : [])];
    if (rollFor.length === 0) {
      if (workload.record === undefined) {
        if (!settings.dryRun) {
          await this.#deps.adoptionLimiter.take();
          await writer.record(workload, record);
          this.#firstSight.drop(key);
        }
        log.info({ dryRun: settings.dryRun }, 'adopted: recorded what the pods see, without rolling');
        return { outcome: 'adopted' };
      }
      if (!changes.differs) {
        log.debug('not rolled: config unchanged');
        return this.#afterPause(workload, { outcome: 'unchanged' }, log);
      }
      if (!settings.dryRun) await writer.record(workload, record);
      log.info({ created: changes.created, deleted: changes.deleted }, 'recorded without rolling: nothing the pods see needs a restart');
      return { outcome: 'recorded' };
    }
    const missing = decision.counted.filter((c) => c.digests === undefined && !c.ref.optional).map((c) => referenceKey(c.ref.kind, c.ref.name));
    if (missing.length > 0) {
      log.warn({ missing }, 'not rolled: a config it needs is missing, so new pods could not start');
      return { outcome: 'waiting' };
    }

    const notice = rollNotice(workload, counted, rollFor, configHash(counted));
    const message = rollMessage(rollFor, causes);
    if (settings.dryRun) {
      log.info({ changed: rollFor, causes }, 'dry run: would roll');
      this.#deps.events.record(subject(workload), 'Normal', 'WouldReload', `dry run, would roll: ${message}`);
      return { outcome: 'dry_run' };
    }
    if (this.#deps.webhook !== undefined) {
      await this.#deps.webhook(notice);
      await writer.record(workload, record);
      this.#firstSight.drop(key);
      log.info({ changed: rollFor }, 'told the webhook instead of rolling');
      return { outcome: 'notified' };
    }

    const pausePeriod = this.#pausePeriod(workload, log);
    const now = this.#now();
    const pausedAt = pausePeriod === undefined ? undefined : (workload.pausedAt ?? new Date(now).toISOString());
    await this.#deps.rollLimiter.take();
    const effects = await writer.roll(workload, {
      record,
      mark: templateMark(settings.strategy, this.#plan(workload, counted, record, rollFor, causes, notice.hash, now), settings.hashAnnotation),
      ...(pausedAt === undefined ? {} : { pausedAt }),
      restart: workload.kind === 'Rollout' && (workload.annotations[settings.rolloutStrategyAnnotation] ?? workload.templateAnnotations[settings.rolloutStrategyAnnotation]) === 'restart',
    });
    this.#firstSight.drop(key);
    log.info({ changed: rollFor, causes, strategy: settings.strategy, ...effects, ...(pausedAt === undefined ? {} : { pausedUntil: new Date(Date.parse(pausedAt) + (pausePeriod ?? 0)).toISOString() }) }, 'rolled');
    this.#deps.events.record(subject(workload), 'Normal', 'Reloaded', message + effectsText(effects) + (pausedAt === undefined ? '' : '; paused while changes gather'));
    this.#deps.rolled?.(notice);
    return pausedAt === undefined || pausePeriod === undefined ? { outcome: 'rolled' } : { outcome: 'rolled', requeueAfterMs: Math.max(0, Date.parse(pausedAt) + pausePeriod - now) };
  }

  /** The Event for a roll that failed for good or for now. */
  recordFailure(key: string, err: unknown): void {
    const workload = this.#deps.workloads.get(key);
    if (workload === undefined) return;
    this.#deps.events.record(subject(workload), 'Warning', 'ReloadFail', `could not roll: ${err instanceof Error ? err.message : String(err)}`);
  }

  #decide(workload: WorkloadRecord): OptInResult {
    const { configs, settings } = this.#deps;
    return decideOptIn(workload, {
      get: (kind, name) => configs.get(kind, workload.namespace, name),
      names: (kind) => configs.names(kind, workload.namespace),
    }, settings.optIn, this.#nameLists);
  }

  /** The configs with the uids that key their hashes, read from the same cache state as their digests. */
  #keyed(workload: WorkloadRecord, counted: readonly CountedConfig[]): CountedConfig[] {
    return counted.map((c) => {
      const uid = c.digests === undefined ? undefined : this.#deps.configs.get(c.ref.kind, workload.namespace, c.ref.name)?.uid;
      return uid === undefined ? c : { ...c, uid };
    });
  }

  /**
   * The changed entries whose data did change: not those of a config that
   * was deleted and created again (a new uid, a new key) with the same data
   * while the controller watched. Those are only recorded.
   */
  #dataChanged(workload: WorkloadRecord, counted: readonly CountedConfig[], before: ConfigRecord, changed: readonly string[]): string[] {
    if (before.version !== 2) return [...changed];
    return changed.filter((id) => {
      const config = counted.find((c) => referenceKey(c.ref.kind, c.ref.name) === id);
      const former = config === undefined ? undefined : this.#deps.configs.formerUid(config.ref.kind, workload.namespace, config.ref.name);
      return config === undefined || former === undefined || recordEntry({ ...config, uid: former }) !== before.entries.get(id);
    });
  }

  #holdFirstSight(key: string, workload: WorkloadRecord, record: ConfigRecord): ConfigRecord {
    const held = this.#firstSight.hold(key, workload.uid, record);
    if (held.dropped !== undefined) this.#deps.logger.debug({ workload: held.dropped, held: this.#firstSight.size }, 'too many workloads await adoption: dropped the oldest first-sight record');
    return held.record;
  }

  /** Kinds that follow configs only under conditions of their own. */
  #refusal(workload: WorkloadRecord): string | undefined {
    if (workload.runBy !== undefined) return `its pod template is run by ${workload.runBy} through spec.workloadRef; the Rollout is rolled instead`;
    if (workload.kind !== 'Job') return undefined;
    if (workload.controllerKind === 'CronJob') return 'a Job run by a CronJob; the CronJob is rolled instead';
    if (!hasExplicitOptIn(workload, this.#deps.settings.optIn)) return 'a Job is recreated only when it opts in with an annotation of its own';
    return undefined;
  }

  /** A Deployment paused by us resumes once its pause period is over, also after a restart of the controller. */
  async #afterPause(workload: WorkloadRecord, result: ReconcileResult, log: Logger): Promise<ReconcileResult> {
    if (workload.kind !== 'Deployment' || workload.pausedAt === undefined) return result;
    const due = Date.parse(workload.pausedAt) + (this.#pausePeriod(workload, log) ?? 0);
    const now = this.#now();
    if (Number.isFinite(due) && now < due) return { ...result, requeueAfterMs: due - now };
    if (!this.#deps.settings.dryRun) await this.#deps.writer.resume(workload);
    log.info({ pausedAt: workload.pausedAt }, 'resumed after its pause period');
    return { outcome: 'resumed' };
  }

  #pausePeriod(workload: WorkloadRecord, log: Logger): number | undefined {
    if (workload.kind !== 'Deployment') return undefined;
    const annotation = this.#deps.settings.pausePeriodAnnotation;
    const text = workload.annotations[annotation] ?? workload.templateAnnotations[annotation];
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    const error = ms === undefined || ms <= 0 ? 'not a positive duration such as 30s or 5m' : ms > MAX_PAUSE_PERIOD_MS ? 'longer than the maximum pause period, 24h' : undefined;
    if (error !== undefined) {
      this.#reportInvalid(workload, { annotation, pattern: text, error }, log);
      return undefined;
    }
    return ms;
  }

  #plan(workload: WorkloadRecord, counted: readonly CountedConfig[], record: ConfigRecord, rollFor: readonly string[], causes: readonly string[], combined: string, now: number): RollPlan {
    const configs: FollowedConfig[] = counted.map((c) => {
      const entry = record.entries.get(referenceKey(c.ref.kind, c.ref.name)) ?? '';
      return { kind: c.ref.kind, name: c.ref.name, hash: c.digests === undefined ? undefined : entry.slice(entry.indexOf('.') + 1), containers: c.ref.containers };
    });
    const triggerId = causes.find((c) => rollFor.includes(c)) ?? rollFor[0];
    const trigger = configs.find((c) => referenceKey(c.kind, c.name) === triggerId) ?? configs[0];
    if (trigger === undefined) throw new Error('a roll needs a config to attribute it to');
    return { combined, configs, trigger, namespace: workload.namespace, containers: workload.containers, observedAt: Math.floor(now / 1000) };
  }

  /** Once per workload and value: the annotation stays wrong until someone edits it. */
  #reportInvalid(workload: WorkloadRecord, bad: InvalidPattern, log: Logger): void {
    // Values may be kilobytes long; the Event, the log line and what is remembered need only their start.
    const shown = bad.pattern.length > 100 ? `${bad.pattern.slice(0, 100)}…` : bad.pattern;
    const id = `${workload.uid}/${bad.annotation}/${bad.pattern.length}/${shown}`;
    if (this.#reported.has(id)) return;
    this.#reported.add(id);
    const message = `annotation ${bad.annotation}: ${JSON.stringify(shown)} is not valid (${bad.error}); it is ignored`;
    log.warn({ annotation: bad.annotation, value: shown }, message);
    this.#deps.events.record(subject(workload), 'Warning', 'InvalidAnnotation', message);
  }
}

function rollNotice(workload: WorkloadRecord, counted: readonly CountedConfig[], rollFor: readonly string[], hash: string): RollNotice {
  const follows = counted.map((c) => ({ kind: c.ref.kind, name: c.ref.name }));
  return {
    workload: { kind: workload.kind, namespace: workload.namespace, name: workload.name },
    changed: follows.filter((f) => rollFor.includes(referenceKey(f.kind, f.name))),
    follows,
    hash,
  };
}

function rollMessage(rollFor: readonly string[], causes: readonly string[]): string {
  const seen = rollFor.filter((id) => causes.includes(id));
  const unseen = rollFor.filter((id) => !causes.includes(id));
  return [
    ...(seen.length > 0 ? [`${seen.join(', ')} changed`] : []),
    ...(unseen.length > 0 ? [`${unseen.join(', ')} changed while not watched`] : []),
  ].join('; ');
}

function effectsText(effects: RollEffects): string {
  if (effects.startedJob !== undefined) return `; started Job ${effects.startedJob}`;
  if (effects.jobNotStarted !== undefined) return `; no Job started: ${effects.jobNotStarted}`;
  return '';
}

function subject(workload: WorkloadRecord): { apiVersion: string; kind: string; namespace: string; name: string; uid: string } {
  const info = kindInfo(workload.kind);
  return { apiVersion: info.apiVersion, kind: info.objectKind ?? info.kind, namespace: workload.namespace, name: workload.name, uid: workload.uid };
}
