import type { WaveHoldReason } from './wave-gate.ts';

/** At most this many pending or failed workloads are named in one text. */
const NAMED = 5;

/** Why a wave plan holds a workload, and until when: the text of its Events, log lines and `explain`. */
export function waveHoldText(reason: WaveHoldReason, until: number | undefined): string {
  if (reason.why === 'wave') {
    const gate = until === undefined ? '' : `; the gate times out at ${new Date(until).toISOString()}`;
    return `wave ${reason.wave} of ${reason.of} of the rollout of ${reason.config}: waits for wave ${reason.waitsOn} to roll and become healthy (${named(reason.pending)})${gate}`;
  }
  const failed = reason.failed.length === 0 ? '' : ` (${named(reason.failed)})`;
  return `the rollout of ${reason.config} halted at wave ${reason.failedWave} of ${reason.of}${failed}; this workload, in wave ${reason.wave}, rolls when the config's data changes or its resume annotation gets a new value`;
}

/** The halt as the config's Event and the alert tell it. */
export function haltText(reason: Extract<WaveHoldReason, { why: 'halted' }>): string {
  return `rollout halted at wave ${reason.failedWave} of ${reason.of}: ${named(reason.failed)}; the later waves are held until the data changes again or the resume annotation gets a new value`;
}

function named(items: readonly string[]): string {
  return items.length <= NAMED
    ? items.join('; ')
    : `${items.slice(0, NAMED).join('; ')}; and ${items.length - NAMED} more`;
}
