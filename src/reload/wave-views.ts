import { createHash } from 'node:crypto';
import type { ConfigCache, ConfigEntry } from '../config/config-cache.ts';
import { parseDuration } from '../duration.ts';
import { referenceKey } from '../model/config-id.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import type { WorkloadKey } from '../model/workload-key.ts';
import { parseBool } from '../parse-bool.ts';
import type { WorkloadCache } from '../workload/workload-cache.ts';
import { recordNow } from './decide.ts';
import type { ConfigView, DecideSettings } from './decision.ts';
import { parseRolloutWaves, type WaveEnd } from './rollout-waves.ts';
import type { Follower, WavePlan } from './wave-gate.ts';
import { configSubject } from './roll-messages.ts';
import { ReportedOnce } from './reported-once.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { Logger } from '../logger.ts';

/** The wave timeout an annotation may set: 1s up to 24h. */
const MIN_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 86_400_000;

export interface WaveViewsDeps {
  readonly workloads: Pick<WorkloadCache, 'get' | 'referencing' | 'naming'>;
  readonly configs: Pick<ConfigCache, 'get'>;
  /** --rollout-waves and --wave-timeout. */
  readonly defaults: { readonly ends: readonly WaveEnd[]; readonly timeoutMs: number };
  /** Where a wave annotation of a config that does not parse is reported; `explain` reports none. */
  readonly report?: { readonly events: Pick<EventRecorder, 'record'>; readonly logger: Logger };
}

/**
 * The wave plans of a namespace's configs, read from the caches as `decide`
 * needs them (`ConfigView.waves`): the plan, from the config's
 * rollout-waves annotation or else --rollout-waves, and each follower's state.
 * A follower is a workload whose record, as decide would write it now,
 * holds an entry for the config; it is done when its record holds that entry
 * already.
 */
export class WaveViews {
  readonly #deps: WaveViewsDeps;
  readonly #reported = new ReportedOnce();

  constructor(deps: WaveViewsDeps) {
    this.#deps = deps;
  }

  /** Whether a config may have a plan: --rollout-waves is set, or it carries the annotation. */
  planned(entry: ConfigEntry | undefined): boolean {
    return this.#deps.defaults.ends.length > 0 || entry?.waves?.plan !== undefined;
  }

  /** `ConfigView.waves` for `namespace`, reading the configs through `view` as decide does. */
  waves(namespace: string, view: ConfigView, settings: DecideSettings): NonNullable<ConfigView['waves']> {
    return (kind, name) => {
      const entry = this.#deps.configs.get(kind, namespace, name);
      const plan = entry === undefined ? undefined : this.#plan(kind, namespace, name, entry, settings);
      if (plan === undefined) return undefined;
      return { plan, followers: this.#followers(kind, namespace, name, view, settings) };
    };
  }

  #plan(
    kind: ConfigKind,
    namespace: string,
    name: string,
    entry: ConfigEntry,
    settings: DecideSettings,
  ): WavePlan | undefined {
    const { defaults } = this.#deps;
    const onInvalid = (annotation: string, problem: string): void => {
      this.#reportInvalid(kind, namespace, name, entry.uid, annotation, problem);
    };
    const a = settings.annotations;
    let ends = defaults.ends;
    const text = entry.waves?.plan;
    if (text !== undefined) {
      const parsed = parseRolloutWaves(text);
      if (parsed.ok) ends = parsed.ends;
      else onInvalid(a.rolloutWaves, `${parsed.error}; ${fallback(defaults.ends)}`);
    }
    if (ends.length === 0) return undefined;
    let timeoutMs = defaults.timeoutMs;
    const timeoutText = entry.waves?.timeout;
    if (timeoutText !== undefined) {
      const ms = parseDuration(timeoutText);
      if (ms !== undefined && ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS) timeoutMs = ms;
      else onInvalid(a.waveTimeout, 'not a duration from 1s to 24h; --wave-timeout counts');
    }
    return {
      config: referenceKey(kind, name),
      ends,
      timeoutMs,
      data: dataDigest(entry),
      resume: entry.waves?.resume ?? '-',
    };
  }

  /** Once per config, annotation and problem: it stays wrong until someone edits it. */
  #reportInvalid(
    kind: ConfigKind,
    namespace: string,
    name: string,
    uid: string,
    annotation: string,
    problem: string,
  ): void {
    const id = `${uid}/${annotation}/${problem}`;
    const { report } = this.#deps;
    if (report === undefined || !this.#reported.first(id)) return;
    const message = `annotation ${annotation} is not valid: ${problem}`;
    report.logger.warn({ config: `${kind}/${namespace}/${name}`, annotation }, message);
    report.events.record(configSubject(kind, namespace, name, uid), 'Warning', 'InvalidAnnotation', message);
  }

  #followers(
    kind: ConfigKind,
    namespace: string,
    name: string,
    view: ConfigView,
    settings: DecideSettings,
  ): Follower[] {
    const { workloads } = this.#deps;
    const id = referenceKey(kind, name);
    const keys = new Set<WorkloadKey>([
      ...workloads.referencing(kind, namespace, name),
      ...workloads.naming(kind, namespace),
    ]);
    const followers: Follower[] = [];
    const canary = settings.annotations.canary;
    for (const key of keys) {
      const w = workloads.get(key);
      const entry = w === undefined ? undefined : recordNow(w, view, settings)?.entries.get(id);
      if (w === undefined || entry === undefined) continue;
      followers.push({
        key,
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        canary: parseBool(w.annotations[canary] ?? w.templateAnnotations[canary]) === true,
        done: w.record?.entries.get(id) === entry,
        health: w.health ?? { state: 'healthy', detail: 'health not known' },
        rolledAt: w.rolledAt,
        halted: w.halted,
      });
    }
    return followers;
  }
}

function fallback(ends: readonly WaveEnd[]): string {
  return ends.length === 0 ? 'it rolls without waves' : '--rollout-waves counts instead';
}

/** Which data a plan is for: a digest of the config's key digests, in key order. */
function dataDigest(entry: ConfigEntry): string {
  const hash = createHash('sha256');
  for (const key of [...entry.digests.keys()].sort()) hash.update(`${key}\0${entry.digests.get(key) ?? ''}\0`);
  return hash.digest('hex').slice(0, 16);
}
