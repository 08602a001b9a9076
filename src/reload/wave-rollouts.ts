import type { ConfigCache } from '../config/config-cache.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { Logger } from '../logger.ts';
import { CONFIG_KINDS } from '../model/config-kind.ts';
import type { WorkloadCache, WorkloadRecord } from '../workload/workload-cache.ts';
import type { ConfigView, DecideSettings } from './decision.ts';
import type { WaveEnd } from './rollout-waves.ts';
import type { WaveHoldReason } from './wave-gate.ts';
import { WaveHalts, type HaltNotice } from './wave-halts.ts';
import { WaveViews } from './wave-views.ts';
import type { WorkloadWriter } from './workload-writer.ts';

/** The run settings of rollouts in waves. */
export interface WaveSettings {
  /** --rollout-waves: the plan of configs without one of their own (empty: none). */
  readonly rolloutWaves: readonly WaveEnd[];
  /** --wave-timeout. */
  readonly waveTimeoutMs: number;
}

/** Who is told of halts. */
export interface WaveHooks {
  /** Alerts: told once per halted rollout; never blocks. */
  readonly halted?: (notice: HaltNotice) => void;
  /** Counts a halted rollout. */
  readonly countHalt?: () => void;
}

export interface WaveRolloutsDeps extends WaveHooks {
  readonly workloads: WorkloadCache;
  readonly configs: ConfigCache;
  readonly writer: Pick<WorkloadWriter, 'annotate'>;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly logger: Logger;
  readonly settings: WaveSettings & { readonly annotations: { readonly halted: string } };
}

/** What the reconciler needs of rollouts in waves: the plans it decides with, and the halts it carries out. */
export class WaveRollouts {
  readonly #deps: WaveRolloutsDeps;
  readonly #views: WaveViews;
  readonly #halts: WaveHalts;

  constructor(deps: WaveRolloutsDeps) {
    const { settings } = deps;
    this.#deps = deps;
    this.#views = new WaveViews({
      workloads: deps.workloads,
      configs: deps.configs,
      defaults: { ends: settings.rolloutWaves, timeoutMs: settings.waveTimeoutMs },
      report: { events: deps.events, logger: deps.logger },
    });
    this.#halts = new WaveHalts({
      writer: deps.writer,
      events: deps.events,
      configs: deps.configs,
      haltedAnnotation: settings.annotations.halted,
      ...(deps.halted === undefined ? {} : { halted: deps.halted }),
      ...(deps.countHalt === undefined ? {} : { countHalt: deps.countHalt }),
    });
  }

  /** `view` with the wave plans of the namespace's configs. */
  withPlans(namespace: string, view: ConfigView, settings: DecideSettings): ConfigView {
    return { ...view, waves: this.#views.waves(namespace, view, settings) };
  }

  /** The followers of a plan are judged as decide judges them, and some may follow through named lists. */
  needNameLists(workload: WorkloadRecord): boolean {
    const { configs, workloads } = this.#deps;
    const { namespace } = workload;
    const planned = workload.references.some((r) => this.#views.planned(configs.get(r.kind, namespace, r.name)));
    return planned && CONFIG_KINDS.some((k) => workloads.naming(k.kind, namespace).size > 0);
  }

  async halt(
    workload: WorkloadRecord,
    reason: Extract<WaveHoldReason, { why: 'halted' }>,
    log: Logger,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await this.#halts.hold(workload, reason, log, signal);
  }
}
