import type { ConfigCache } from '../config/config-cache.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { Logger } from '../logger.ts';
import type { TokenBucket } from '../queue/token-bucket.ts';
import type { ConfigId } from '../model/config-id.ts';
import type { WorkloadKey } from '../model/workload-key.ts';
import type { WorkloadCache, WorkloadRecord } from '../workload/workload-cache.ts';
import { changedConfigs } from './changed-config.ts';
import type { ConfigRecord } from '../model/config-record.ts';
import { decide, jobRefusal, recordNow } from './decide.ts';
import type { ConfigView, Decision, DecideSettings, HoldDecision, RollDecision, SkipDecision } from './decision.ts';
import { FirstSight } from './first-sight.ts';
import { HeldWorkloads, type HoldWhy } from './held-workloads.ts';
import { NameListCompiler, type InvalidPattern } from './name-list.ts';
import { ReportedOnce } from './reported-once.ts';
import { rollLoopMessage } from './roll-loop.ts';
import type { NamespaceHoldCache } from './namespace-holds.ts';
import { hasNamedList } from './opt-in.ts';
import { effectsText, holdMessage, rollMessage, rollNotice, subject, type RollNotice } from './roll-messages.ts';
import type { WorkloadWriter } from './workload-writer.ts';
import { WaveRollouts, type WaveHooks, type WaveSettings } from './wave-rollouts.ts';

/** `skipped`: opted out or follows nothing; `waiting`: would roll, but a config it needs is missing. */
export type ReconcileOutcome =
  'rolled' | 'dry_run' | 'notified' | 'adopted' | 'recorded' | 'resumed' | 'unchanged' | 'skipped' | 'waiting' | 'gone';

export interface ReconcileResult {
  readonly outcome: ReconcileOutcome;
  /** Look again after this long (a pause period running out). */
  readonly requeueAfterMs?: number;
}

/** The decision's settings (its name lists are the reconciler's own), and how to carry it out. */
export interface ReconcilerSettings extends Omit<DecideSettings, 'nameLists'>, WaveSettings {
  /** Decide and report, write nothing. */
  readonly dryRun: boolean;
}

export interface ReconcilerDeps extends WaveHooks {
  readonly workloads: WorkloadCache;
  readonly configs: ConfigCache;
  /** The freeze and maintenance windows of the Namespaces; without it, Namespaces hold nothing. */
  readonly namespaces?: Pick<NamespaceHoldCache, 'holds'>;
  readonly writer: Pick<WorkloadWriter, 'record' | 'roll' | 'resume' | 'finishPending' | 'annotate'>;
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
  /** The number of workloads held for a reason changed. */
  readonly heldCount?: (why: HoldWhy, count: number) => void;
}

/** One reconcile of one workload, as the steps that carry out its decision need it. */
interface Occasion {
  readonly key: WorkloadKey;
  readonly workload: WorkloadRecord;
  readonly causes: readonly ConfigId[];
  /** The clock when it decided. */
  readonly now: number;
  readonly log: Logger;
  readonly signal: AbortSignal | undefined;
}

/**
 * Converges one workload by carrying out what `decide` makes of it: the
 * writes, Events, log lines and notices. The rules themselves are in
 * `decide.ts`.
 *
 * Contract (as controller-runtime's Reconciler): it reads only caches, it is
 * idempotent, and it may be called any number of times for the same key. It
 * throws when a write failed; the caller retries with backoff. `causes` only
 * enrich the Event text and pick the config a roll is attributed to; whether
 * it rolls never depends on them. `signal` aborts its writes (and its waits
 * for a write token), e.g. the moment leadership is lost.
 *
 * A workload not adopted yet is compared with what it followed when the
 * controller first saw it (see `sawWorkload`), so a change that landed after
 * first sight rolls it once, however earlier attempts to write the record
 * fared.
 */
export class Reconciler {
  readonly #deps: ReconcilerDeps;
  readonly #decideSettings: DecideSettings;
  readonly #now: () => number;
  readonly #reported = new ReportedOnce();
  readonly #nameLists = new NameListCompiler();
  readonly #firstSight: FirstSight;
  readonly #held: HeldWorkloads;
  readonly #waves: WaveRollouts;

  constructor(deps: ReconcilerDeps) {
    this.#waves = new WaveRollouts(deps);
    this.#held = new HeldWorkloads(deps.heldCount ?? (() => undefined));
    this.#deps = deps;
    this.#decideSettings = { ...deps.settings, nameLists: this.#nameLists };
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
  sawWorkload(key: WorkloadKey): void {
    const workload = this.#deps.workloads.get(key);
    if (workload === undefined || workload.record !== undefined) {
      this.#firstSight.drop(key);
      return;
    }
    if (this.#firstSight.has(key, workload.uid)) return;
    // Named lists need the regex engine, which loads on first use: until then
    // such a workload's first sight is taken by its first reconcile instead.
    if (hasNamedList(workload, this.#decideSettings.optIn) && !this.#nameLists.loaded) return;
    const record = recordNow(workload, this.#view(workload.namespace), this.#decideSettings);
    if (record !== undefined) this.#holdFirstSight(key, workload, record);
  }

  async reconcile(key: WorkloadKey, causes: readonly ConfigId[] = [], signal?: AbortSignal): Promise<ReconcileResult> {
    const { workloads, settings, logger, writer } = this.#deps;
    const workload = workloads.get(key);
    if (workload === undefined) {
      this.#firstSight.drop(key);
      this.#held.note(key, undefined);
      if (!settings.dryRun && (await writer.finishPending(key, signal)))
        logger.info({ workload: key }, 'recreated the Job');
      return { outcome: 'gone' };
    }
    const log = logger.child({ workload: key });
    // A Job left alone needs no regex engine (about 11 MiB once loaded).
    if (
      (hasNamedList(workload, settings.optIn) && jobRefusal(workload, settings.optIn) === undefined) ||
      (!this.#nameLists.loaded && this.#waves.needNameLists(workload))
    )
      await this.#nameLists.load();
    const now = this.#now();
    const decision = decide(workload, this.#view(workload.namespace), this.#decideSettings, now, {
      firstSight: this.#firstSight.get(key, workload.uid),
      causes,
    });
    this.#report(workload, decision, log);
    if (decision.kind !== 'hold') this.#held.note(key, undefined);
    return this.#carryOut({ key, workload, causes, now, log, signal }, decision);
  }

  /** The Event for a roll that failed for good or for now. */
  recordFailure(key: WorkloadKey, err: unknown): void {
    const workload = this.#deps.workloads.get(key);
    if (workload === undefined) return;
    this.#deps.events.record(
      subject(workload),
      'Warning',
      'ReloadFail',
      `could not roll: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  async #carryOut(at: Occasion, decision: Decision): Promise<ReconcileResult> {
    const { settings, writer } = this.#deps;
    const { key, workload, log, signal } = at;
    switch (decision.kind) {
      case 'skip':
        return { outcome: skipped(decision, log) };
      case 'resume':
        skipped(decision.after, log);
        if (!settings.dryRun) await writer.resume(workload, signal);
        log.info({ pausedAt: decision.pausedAt }, 'resumed after its pause period');
        return { outcome: 'resumed' };
      case 'hold':
        return this.#hold(decision, at);
      case 'adopt':
        this.#holdFirstSight(key, workload, decision.record);
        if (!settings.dryRun) {
          await this.#deps.adoptionLimiter.take(signal);
          await writer.record(workload, decision.record, signal);
          this.#firstSight.drop(key);
        }
        log.info({ dryRun: settings.dryRun }, 'adopted: recorded what the pods see, without rolling');
        return { outcome: 'adopted' };
      case 'record':
        if (!settings.dryRun) await writer.record(workload, decision.record, signal);
        log.info(
          { created: decision.created, deleted: decision.deleted },
          'recorded without rolling: nothing the pods see needs a restart',
        );
        return { outcome: 'recorded' };
      case 'roll':
        return this.#roll(at, decision);
    }
  }

  async #hold(decision: HoldDecision, at: Occasion): Promise<ReconcileResult> {
    const { key, workload, log, now, signal } = at;
    const { reason, until } = decision;
    const waves = reason.why === 'wave' || reason.why === 'halted';
    // A dry run writes nothing, so no wave would ever pass its gate: it shows the whole plan at once.
    if (waves && this.#deps.settings.dryRun && decision.held.kind === 'roll') {
      this.#held.note(key, undefined);
      return this.#roll(at, decision.held);
    }
    const changed = this.#held.note(key, reason.why, until);
    switch (reason.why) {
      case 'halted':
        await this.#waves.halt(workload, reason, log, signal);
        return { outcome: 'waiting' };
      case 'pause-period': {
        const outcome = decision.held.kind === 'skip' ? skipped(decision.held, log) : 'skipped';
        return decision.until === undefined ? { outcome } : { outcome, requeueAfterMs: decision.until - now };
      }
      case 'config-missing':
        log.warn({ missing: reason.missing }, 'not rolled: a config it needs is missing, so new pods could not start');
        return { outcome: 'waiting' };
      case 'roll-loop':
        return this.#holdLoop(decision, reason, changed, at);
      case 'wave':
      case 'freeze':
      case 'maintenance-window': {
        // Once per held state, not at every resync: a frozen fleet makes no Event storm.
        const message = holdMessage(decision, this.#deps.settings.annotations);
        if (changed) {
          log.info(
            {
              reason: reason.why,
              ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
              dryRun: this.#deps.settings.dryRun,
            },
            message,
          );
          this.#deps.events.record(subject(workload), 'Normal', 'ReloadHeld', message);
        } else {
          log.debug({ reason: reason.why }, message);
        }
        return until === undefined
          ? { outcome: 'waiting' }
          : { outcome: 'waiting', requeueAfterMs: Math.max(0, until - now) };
      }
    }
  }

  /**
   * A restart loop: a Warning Event once per held state (a new `until` is a
   * new state: it rolled again), naming the configs that keep changing and
   * their last writers, and a look again when the window has passed.
   */
  #holdLoop(
    decision: HoldDecision,
    reason: { readonly rolls: number; readonly windowMs: number },
    changed: boolean,
    { workload, log, now }: Occasion,
  ): ReconcileResult {
    const until = decision.until ?? now;
    if (changed) {
      const ids = decision.held.kind === 'roll' ? decision.held.changed : [];
      const changing = changedConfigs(
        ids,
        decision.configs.map((c) => ({ kind: c.kind, name: c.name, keys: c.visibleKeys })),
        (kind, name) => this.#deps.configs.get(kind, workload.namespace, name),
        ids,
      );
      const message = rollLoopMessage({ ...reason, until }, changing);
      log.warn({ reason: 'roll-loop', rolls: reason.rolls, until: new Date(until).toISOString() }, message);
      this.#deps.events.record(subject(workload), 'Warning', 'ReloadLoop', message);
    } else {
      log.debug({ reason: 'roll-loop', rolls: reason.rolls }, 'held as a restart loop');
    }
    return { outcome: 'waiting', requeueAfterMs: Math.max(0, until - now) };
  }

  async #roll({ key, workload, causes, now, log, signal }: Occasion, decision: RollDecision): Promise<ReconcileResult> {
    const { settings, writer } = this.#deps;
    const rollFor = decision.changed;
    const changed = changedConfigs(
      rollFor,
      decision.configs.map((c) => ({ kind: c.kind, name: c.name, keys: c.visibleKeys })),
      (kind, name) => this.#deps.configs.get(kind, workload.namespace, name),
      causes,
    );
    const notice = rollNotice(workload, decision, changed);
    const message = rollMessage(changed, causes);
    if (settings.dryRun) {
      log.info({ changed: rollFor, causes }, 'dry run: would roll');
      const wave = decision.wave === undefined ? '' : ` in wave ${decision.wave.wave} of ${decision.wave.of}`;
      this.#deps.events.record(subject(workload), 'Normal', 'WouldReload', `dry run, would roll${wave}: ${message}`);
      return { outcome: 'dry_run' };
    }
    if (this.#deps.webhook !== undefined) {
      await this.#deps.webhook(notice);
      await writer.record(workload, decision.record, signal);
      this.#firstSight.drop(key);
      log.info({ changed: rollFor }, 'told the webhook instead of rolling');
      return { outcome: 'notified' };
    }

    const { pause } = decision;
    if (pause.kind === 'invalid') this.#reportInvalid(workload, pause.problem, log);
    const paused = pause.kind === 'pause' ? pause : undefined;
    await this.#deps.rollLimiter.take(signal);
    const effects = await writer.roll(
      workload,
      {
        record: decision.record,
        mark: decision.mark,
        rolledAt: decision.rolledAt,
        ...(paused === undefined ? {} : { pausedAt: paused.pausedAt }),
        restart: decision.restart,
      },
      signal,
    );
    this.#firstSight.drop(key);
    log.info(
      {
        changed: rollFor,
        causes,
        strategy: settings.strategy,
        ...effects,
        ...(paused === undefined ? {} : { pausedUntil: new Date(paused.until).toISOString() }),
      },
      'rolled',
    );
    this.#deps.events.record(
      subject(workload),
      'Normal',
      'Reloaded',
      message + effectsText(effects) + (paused === undefined ? '' : '; paused while changes gather'),
    );
    this.#deps.rolled?.(notice);
    return paused === undefined
      ? { outcome: 'rolled' }
      : { outcome: 'rolled', requeueAfterMs: Math.max(0, paused.until - now) };
  }

  /** The namespace's configs, its holds and the configs' wave plans, as the caches hold them now. */
  #view(namespace: string): ConfigView {
    const { configs } = this.#deps;
    const view: ConfigView = {
      get: (kind, name) => configs.get(kind, namespace, name),
      names: (kind) => configs.names(kind, namespace),
      formerUid: (kind, name) => configs.formerUid(kind, namespace, name),
      namespace: this.#deps.namespaces?.holds(namespace),
    };
    return this.#waves.withPlans(namespace, view, this.#decideSettings);
  }

  /** What the decision found wrong or left out: Events for bad values, debug lines for the rest. */
  #report(workload: WorkloadRecord, decision: Decision, log: Logger): void {
    for (const bad of decision.findings.invalid) this.#reportInvalid(workload, bad, log);
    for (const { annotation, value } of decision.findings.notBooleans)
      log.debug({ annotation, value }, `${annotation}: ${JSON.stringify(value)} is not a boolean, treated as absent`);
    for (const c of decision.configs)
      if (!c.follows) log.debug({ config: c.id, reason: c.reason }, 'config not followed');
  }

  #holdFirstSight(key: WorkloadKey, workload: WorkloadRecord, record: ConfigRecord): void {
    const held = this.#firstSight.hold(key, workload.uid, record);
    if (held.dropped !== undefined)
      this.#deps.logger.debug(
        { workload: held.dropped, held: this.#firstSight.size },
        'too many workloads await adoption: dropped the oldest first-sight record',
      );
  }

  /** Once per workload and value: the annotation stays wrong until someone edits it. */
  #reportInvalid(workload: WorkloadRecord, bad: InvalidPattern, log: Logger): void {
    // Values may be kilobytes long; the Event, the log line and what is remembered need only their start.
    const shown = bad.pattern.length > 100 ? `${bad.pattern.slice(0, 100)}…` : bad.pattern;
    const id = `${workload.uid}/${bad.annotation}/${bad.pattern.length}/${shown}`;
    if (!this.#reported.first(id)) return;
    const message = `annotation ${bad.annotation}: ${JSON.stringify(shown)} is not valid (${bad.error}); it is ignored`;
    log.warn({ annotation: bad.annotation, value: shown }, message);
    this.#deps.events.record(subject(workload), 'Warning', 'InvalidAnnotation', message);
  }
}

/** Logs why nothing rolls; the outcome it counts as. */
function skipped(decision: SkipDecision, log: Logger): 'skipped' | 'unchanged' {
  switch (decision.why) {
    case 'unchanged':
      log.debug('not rolled: config unchanged');
      return 'unchanged';
    case 'follows-nothing':
      log.debug('not rolled: follows no config');
      return 'skipped';
    default:
      log.debug({ reason: decision.detail }, 'not rolled: workload opted out');
      return 'skipped';
  }
}
