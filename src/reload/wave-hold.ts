import { referenceKey } from '../model/config-id.ts';
import { workloadKey } from '../model/workload-key.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import type { ConfigView, RollDecision } from './decision.ts';
import { waveGate, type WaveHoldReason } from './wave-gate.ts';

export interface WaveHold {
  /** The hold the first closed gate puts on the roll, if any. */
  readonly hold: { readonly reason: WaveHoldReason; readonly until: number | undefined } | undefined;
  /** The roll's wave in the plan of the config it is attributed to, if that config has one. */
  readonly wave: { readonly wave: number; readonly of: number } | undefined;
}

/**
 * The gates a roll passes: one per changed config with a wave plan. The roll
 * waits while any of them is closed; a halted plan holds it until the
 * config's data or resume annotation changes.
 */
export function waveHold(workload: WorkloadRecord, roll: RollDecision, configs: ConfigView, now: number): WaveHold {
  if (configs.waves === undefined) return { hold: undefined, wave: undefined };
  const self = workloadKey(workload.kind, workload.namespace, workload.name);
  const trigger = referenceKey(roll.plan.trigger.kind, roll.plan.trigger.name);
  let wave: WaveHold['wave'];
  for (const id of roll.changed) {
    const verdict = roll.configs.find((c) => c.id === id);
    const view = verdict === undefined ? undefined : configs.waves(verdict.kind, verdict.name);
    if (view === undefined) continue;
    const gate = waveGate(self, view.followers, view.plan, now);
    const at = { wave: gate.wave, of: gate.of };
    if (gate.kind === 'wait')
      return {
        hold: {
          reason: { why: 'wave', config: id, ...at, waitsOn: gate.waitsOn, pending: gate.pending },
          until: gate.until,
        },
        wave: at,
      };
    if (gate.kind === 'halted') {
      const { failedWave, failed, mark, marked } = gate;
      return {
        hold: { reason: { why: 'halted', config: id, ...at, failedWave, failed, mark, marked }, until: undefined },
        wave: at,
      };
    }
    if (id === trigger || wave === undefined) wave = at;
  }
  return { hold: undefined, wave };
}
