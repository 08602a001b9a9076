import type { ConfigCache } from '../config/config-cache.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { Logger } from '../logger.ts';
import { parseConfigId } from '../model/config-id.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import { ReportedOnce } from './reported-once.ts';
import { configSubject, subject } from './roll-messages.ts';
import type { WaveHoldReason } from './wave-gate.ts';
import { haltText, waveHoldText } from './wave-messages.ts';
import type { WorkloadWriter } from './workload-writer.ts';

/** A halted rollout, as the alerts tell it. */
export interface HaltNotice {
  readonly config: { readonly kind: string; readonly namespace: string; readonly name: string };
  readonly text: string;
}

export interface WaveHaltsDeps {
  readonly writer: Pick<WorkloadWriter, 'annotate'>;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly configs: Pick<ConfigCache, 'get'>;
  /** The annotation that carries the halt mark. */
  readonly haltedAnnotation: string;
  /** Alerts: told once per halt; never blocks. */
  readonly halted?: (notice: HaltNotice) => void;
  /** Counts a halt (mini_reloader_rollout_halts_total). */
  readonly countHalt?: () => void;
}

/** Halts remembered as announced, at most: a restart forgets them, and the marks on the workloads keep the halt. */
const MAX_ANNOUNCED = 1024;

/**
 * Carries out a halt on one held workload: its halt mark is written (a merge
 * patch of one annotation, so the halt outlives the controller), with a
 * Warning Event `ReloadHalted` on it. The first workload marked for a halt
 * also announces it: an Event on the config naming the failed workloads,
 * an alert, and the halts metric.
 */
export class WaveHalts {
  readonly #deps: WaveHaltsDeps;
  readonly #announced = new ReportedOnce(MAX_ANNOUNCED);

  constructor(deps: WaveHaltsDeps) {
    this.#deps = deps;
  }

  async hold(
    workload: WorkloadRecord,
    reason: Extract<WaveHoldReason, { why: 'halted' }>,
    log: Logger,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const text = waveHoldText(reason, undefined);
    if (reason.marked) {
      log.debug({ config: reason.config }, text);
      return;
    }
    const { writer, events } = this.#deps;
    await writer.annotate(workload, { [this.#deps.haltedAnnotation]: reason.mark }, signal);
    log.warn({ config: reason.config, failedWave: reason.failedWave }, text);
    events.record(subject(workload), 'Warning', 'ReloadHalted', text);
    this.#announce(workload.namespace, reason, log);
  }

  #announce(namespace: string, reason: Extract<WaveHoldReason, { why: 'halted' }>, log: Logger): void {
    if (!this.#announced.first(reason.mark)) return;
    const config = parseConfigId(reason.config);
    if (config === undefined) return;
    const text = haltText(reason);
    log.warn({ config: reason.config, failedWave: reason.failedWave, failed: reason.failed }, text);
    const uid = this.#deps.configs.get(config.kind, namespace, config.name)?.uid ?? '';
    this.#deps.events.record(configSubject(config.kind, namespace, config.name, uid), 'Warning', 'ReloadHalted', text);
    this.#deps.countHalt?.();
    this.#deps.halted?.({ config: { kind: config.kind, namespace, name: config.name }, text });
  }
}
