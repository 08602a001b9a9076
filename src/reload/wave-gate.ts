import { parseConfigId, type ConfigId } from '../model/config-id.ts';
import { lastRoll, type RollTimes } from '../model/roll-times.ts';
import type { WorkloadKey } from '../model/workload-key.ts';
import type { WorkloadHealth } from '../workload/workload-health.ts';
import { waveEnds, type WaveEnd } from './rollout-waves.ts';
import { isDigits } from '../model/digits.ts';

/** One workload that follows a config with a wave plan, as the gate needs it. */
export interface Follower {
  readonly key: WorkloadKey;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly canary: boolean;
  /** Its record's entry for the config matches what its pods would see of the config now. */
  readonly done: boolean;
  readonly health: WorkloadHealth;
  readonly rolledAt: RollTimes;
  /** Its halt mark (the `halted` annotation), if it carries one. */
  readonly halted: string | undefined;
}

/** A config's wave plan for its data as it is now. */
export interface WavePlan {
  readonly config: ConfigId;
  readonly ends: readonly WaveEnd[];
  readonly timeoutMs: number;
  /** A digest of the config's data now: which change the plan is for. */
  readonly data: string;
  /** A digest of the config's resume annotation now ('-' when absent). */
  readonly resume: string;
}

/** A workload's wave in a plan, counting from 1, of how many. */
export interface WavePosition {
  readonly wave: number;
  readonly of: number;
}

/** Wave `waitsOn` is still rolling or becoming healthy; `pending` says what it waits for. */
export interface WaveWait {
  readonly waitsOn: number;
  readonly pending: readonly string[];
}

/**
 * Wave `failedWave` failed its gate: the plan stops there. `failed` names
 * the workloads that failed and why; `mark` is the halt mark to keep on the
 * workload, which `marked` says it carries already.
 */
export interface WaveHalt {
  readonly failedWave: number;
  readonly failed: readonly string[];
  readonly mark: string;
  readonly marked: boolean;
}

/** Where a workload stands in a plan. A wait's gate times out at `until` (undefined: none of the wave rolled yet). */
export type WaveGate =
  | ({ readonly kind: 'open' } & WavePosition)
  | ({ readonly kind: 'wait'; readonly until: number | undefined } & WavePosition & WaveWait)
  | ({ readonly kind: 'halted' } & WavePosition & WaveHalt);

/** The followers in roll order: the canaries (by namespace, kind, name), then the rest in the same order. */
export function waveOrder(followers: readonly Follower[]): Follower[] {
  const byName = (a: Follower, b: Follower): number =>
    compare(a.namespace, b.namespace) || compare(a.kind, b.kind) || compare(a.name, b.name);
  return [...followers.filter((f) => f.canary).sort(byName), ...followers.filter((f) => !f.canary).sort(byName)];
}

/** The followers split into waves, in roll order. */
export function waves(followers: readonly Follower[], ends: readonly WaveEnd[]): Follower[][] {
  const ordered = waveOrder(followers);
  const out: Follower[][] = [];
  let start = 0;
  for (const end of waveEnds(ends, ordered.length, ordered.filter((f) => f.canary).length)) {
    out.push(ordered.slice(start, end));
    start = end;
  }
  return out;
}

/**
 * Whether `self` (one of `followers`) may roll now for `plan`: when every
 * wave before its own is rolled and healthy. A wave still on its way makes it
 * wait; a wave with a failed workload, or one not healthy within the timeout
 * from the last roll of the wave, halts the plan.
 *
 * A halt is sticky through the mark each held workload carries: while the
 * config's data and resume annotation are those of the mark, the workload
 * stays halted whatever the failed wave does since. A new resume value
 * passes every wave up to the failed one; new data is a new plan, and the
 * mark is ignored.
 */
export function waveGate(self: WorkloadKey, followers: readonly Follower[], plan: WavePlan, now: number): WaveGate {
  const planned = waves(followers, plan.ends);
  const index = planned.findIndex((wave) => wave.some((f) => f.key === self));
  const at = { wave: index + 1, of: planned.length };
  const me = followers.find((f) => f.key === self);
  const mark = parseHaltMark(me?.halted);
  const samePlan = mark !== undefined && mark.config === plan.config && mark.data === plan.data;
  if (samePlan && mark.resume === plan.resume)
    return { kind: 'halted', ...at, failedWave: mark.wave, failed: [], mark: me?.halted ?? '', marked: true };
  const passed = samePlan ? mark.wave : 0;
  for (let i = passed; i < index; i++) {
    const state = waveState(planned[i] ?? [], plan.timeoutMs, now);
    if (state.kind === 'passed') continue;
    if (state.kind === 'wait')
      return { kind: 'wait', ...at, waitsOn: i + 1, pending: state.pending, until: state.until };
    const value = formatHaltMark({ config: plan.config, data: plan.data, wave: i + 1, resume: plan.resume });
    return {
      kind: 'halted',
      ...at,
      failedWave: i + 1,
      failed: state.failed,
      mark: value,
      marked: value === me?.halted,
    };
  }
  return { kind: 'open', ...at };
}

type WaveState =
  | { readonly kind: 'passed' }
  | { readonly kind: 'wait'; readonly pending: readonly string[]; readonly until: number | undefined }
  | { readonly kind: 'failed'; readonly failed: readonly string[] };

function waveState(wave: readonly Follower[], timeoutMs: number, now: number): WaveState {
  const notRolled = wave.filter((f) => !f.done);
  const unhealthy = wave.filter((f) => f.done && f.health.state !== 'healthy');
  if (notRolled.length === 0 && unhealthy.length === 0) return { kind: 'passed' };
  const failed = unhealthy.filter((f) => f.health.state === 'failed');
  if (failed.length > 0) return { kind: 'failed', failed: failed.map((f) => `${id(f)}: ${f.health.detail}`) };
  const rolls = wave.filter((f) => f.done).map((f) => lastRoll(f.rolledAt) ?? -Infinity);
  const since = rolls.length === 0 ? undefined : Math.max(...rolls);
  const until = since === undefined || since === -Infinity ? undefined : since + timeoutMs;
  const pending = [
    ...unhealthy.map((f) => `${id(f)}: ${f.health.detail}`),
    ...notRolled.map((f) => `${id(f)}: not rolled yet`),
  ];
  if (until !== undefined && now >= until)
    return { kind: 'failed', failed: pending.map((p) => `${p}, ${timeoutMs / 1000}s after the wave rolled`) };
  return { kind: 'wait', pending, until };
}

interface HaltMark {
  readonly config: ConfigId;
  readonly data: string;
  /** The wave that failed, from 1. */
  readonly wave: number;
  readonly resume: string;
}

const MAX_MARK = 512;

/** `ConfigMap/app@<data digest>;<failed wave>;<resume digest>`. */
export function formatHaltMark(mark: HaltMark): string {
  return `${mark.config}@${mark.data};${mark.wave};${mark.resume}`;
}

/** Undefined for an absent, overlong or malformed value: such a mark holds nothing. */
export function parseHaltMark(text: string | undefined): HaltMark | undefined {
  if (text === undefined || text.length > MAX_MARK) return undefined;
  const [target, wave, resume, ...rest] = text.split(';');
  const at = target?.lastIndexOf('@') ?? -1;
  if (target === undefined || at <= 0 || rest.length > 0 || resume === undefined || !isDigits(wave ?? '', 2))
    return undefined;
  const config = parseConfigId(target.slice(0, at));
  return config === undefined
    ? undefined
    : { config: config.id, data: target.slice(at + 1), wave: Number(wave), resume };
}

function id(f: Follower): string {
  return `${f.kind}/${f.name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The holds a wave plan puts on a roll (see HoldReason). */
export type WaveHoldReason =
  /** Its wave of `config`'s plan waits for the one before to roll and become healthy. */
  | ({ readonly why: 'wave'; readonly config: ConfigId } & WavePosition & WaveWait)
  /** `config`'s plan halted: it waits for new data or a new resume value. See WaveGate. */
  | ({ readonly why: 'halted'; readonly config: ConfigId } & WavePosition & WaveHalt);
