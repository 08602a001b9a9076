import type { ConfigCache } from '../config/config-cache.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { Logger } from '../logger.ts';
import type { TokenBucket } from '../queue/token-bucket.ts';
import { kindInfo } from '../workload/workload-kind.ts';
import type { WorkloadCache, WorkloadRecord } from '../workload/workload-cache.ts';
import { configHash, type CountedConfig } from './config-hash.ts';
import { decideOptIn, type InvalidPattern, type OptInSettings } from './opt-in.ts';
import type { WorkloadWriter } from './workload-writer.ts';

export type ReconcileOutcome = 'rolled' | 'dry_run' | 'adopted' | 'unchanged' | 'skipped' | 'gone';

export interface ReconcilerDeps {
  readonly workloads: WorkloadCache;
  readonly configs: ConfigCache;
  readonly writer: Pick<WorkloadWriter, 'adopt' | 'roll'>;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly rollLimiter: Pick<TokenBucket, 'take'>;
  readonly settings: OptInSettings;
  readonly dryRun: boolean;
  readonly logger: Logger;
}

/**
 * Converges one workload: the hash of the config data it follows, as the
 * caches see it now, against the hash its pods were rolled with.
 *
 * Contract (as controller-runtime's Reconciler): it reads only caches, it is
 * idempotent, and it may be called any number of times for the same key. It
 * throws when a write failed; the caller retries with backoff. `causes` only
 * enrich the Event text; the decision never depends on them.
 *
 * - No stored hash: the workload is adopted. Its pods are taken to match the
 *   current data, and that hash is recorded on the workload's metadata, which
 *   starts no rollout. Installing the controller therefore rolls nothing.
 * - Stored hash equal: nothing to do. A restart or a resync rolls nothing.
 * - Different: the pod-template hash is set, which rolls the workload once.
 *   Not while a non-optional config it follows is missing: new pods could not
 *   start, so it waits for the config to come back.
 */
export class Reconciler {
  readonly #deps: ReconcilerDeps;
  readonly #reported = new Set<string>();

  constructor(deps: ReconcilerDeps) {
    this.#deps = deps;
  }

  async reconcile(key: string, causes: readonly string[] = []): Promise<ReconcileOutcome> {
    const { workloads, configs, settings, logger } = this.#deps;
    const workload = workloads.get(key);
    if (workload === undefined) return 'gone';
    const log = logger.child({ workload: key });

    const decision = decideOptIn(workload, {
      get: (kind, name) => configs.get(kind, workload.namespace, name),
      names: (kind) => configs.names(kind, workload.namespace),
    }, settings);
    if (decision.optedOut) {
      log.debug({ reason: decision.reason }, 'not rolled: workload opted out');
      return 'skipped';
    }
    for (const bad of decision.invalidPatterns) this.#reportInvalidPattern(workload, bad, log);
    for (const { ref, reason } of decision.skipped) log.debug({ config: `${ref.kind}/${ref.name}`, reason }, 'config not followed');
    if (decision.counted.length === 0) {
      log.debug('not rolled: follows no config');
      return 'skipped';
    }

    const desired = configHash(decision.counted);
    const stored = workload.templateHash ?? workload.baselineHash;
    if (stored === undefined) {
      if (!this.#deps.dryRun) await this.#deps.writer.adopt(workload, desired);
      log.info({ hash: desired, dryRun: this.#deps.dryRun }, 'adopted: recorded the current config hash without rolling');
      return 'adopted';
    }
    if (stored === desired) {
      log.debug({ hash: desired }, 'not rolled: config hash unchanged');
      return 'unchanged';
    }
    const missing = decision.counted.filter((c) => c.digests === undefined && !c.ref.optional).map(describe);
    if (missing.length > 0) {
      log.warn({ missing }, 'not rolled: a config it needs is missing, so new pods could not start');
      return 'skipped';
    }

    const message = rollMessage(decision.counted, causes, stored, desired);
    if (this.#deps.dryRun) {
      log.info({ from: stored, to: desired, causes }, 'dry run: would roll');
      this.#deps.events.record(subject(workload), 'Normal', 'WouldReload', `dry run, would roll: ${message}`);
      return 'dry_run';
    }
    await this.#deps.rollLimiter.take();
    await this.#deps.writer.roll(workload, desired);
    log.info({ from: stored, to: desired, causes }, 'rolled');
    this.#deps.events.record(subject(workload), 'Normal', 'Reloaded', message);
    return 'rolled';
  }

  /** Once per workload and pattern: the annotation stays wrong until someone edits it. */
  #reportInvalidPattern(workload: WorkloadRecord, bad: InvalidPattern, log: Logger): void {
    const id = `${workload.uid}/${bad.annotation}/${bad.pattern}`;
    if (this.#reported.has(id)) return;
    this.#reported.add(id);
    const message = `annotation ${bad.annotation}: entry ${JSON.stringify(bad.pattern)} is not a valid regular expression (${bad.error}); it is skipped`;
    log.warn({ annotation: bad.annotation, pattern: bad.pattern }, message);
    this.#deps.events.record(subject(workload), 'Warning', 'InvalidAnnotation', message);
  }

  /** The Event for a roll that failed for good or for now. */
  recordFailure(key: string, err: unknown): void {
    const workload = this.#deps.workloads.get(key);
    if (workload === undefined) return;
    this.#deps.events.record(subject(workload), 'Warning', 'ReloadFail', `could not roll: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function describe(c: CountedConfig): string {
  return `${c.ref.kind}/${c.ref.name}`;
}

function rollMessage(counted: readonly CountedConfig[], causes: readonly string[], from: string, to: string): string {
  const followed = new Set(counted.map(describe));
  const changed = causes.filter((c) => followed.has(c));
  const what = changed.length > 0 ? `${changed.join(', ')} changed` : `config changed while not watched (follows ${[...followed].join(', ')})`;
  return `${what}; config hash ${from.slice(0, 12)} -> ${to.slice(0, 12)}`;
}

function subject(workload: WorkloadRecord): { apiVersion: string; kind: string; namespace: string; name: string; uid: string } {
  return { apiVersion: kindInfo(workload.kind).apiVersion, kind: workload.kind, namespace: workload.namespace, name: workload.name, uid: workload.uid };
}
