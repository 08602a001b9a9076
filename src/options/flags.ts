import type { FlagDef, FlagSpec } from './flag-spec.ts';
import { ALERT_FLAGS } from './flags/alerts.ts';
import { ANNOTATION_NAME_FLAGS } from './flags/annotation-names.ts';
import { CLUSTER_ACCESS_FLAGS } from './flags/cluster-access.ts';
import { HIGH_AVAILABILITY_FLAGS } from './flags/high-availability.ts';
import { OBSERVABILITY_FLAGS } from './flags/observability.ts';
import { ROLL_LOOP_FLAGS } from './flags/roll-loop.ts';
import { ROLL_ACTION_FLAGS, ROLLING_FLAGS } from './flags/rolling.ts';
import { KIND_SCOPE_FLAGS, NAMESPACE_AND_CONFIG_SCOPE_FLAGS } from './flags/scope.ts';
import { STAKATER_COMPATIBILITY_FLAGS } from './flags/stakater-compatibility.ts';

// The flags. This table is the single source: the parser, RUN_FLAGS,
// formatHelp() and the README check all read it. Its parts live in flags/,
// one file per help group; the order here is the order of --help and the
// README (Scope and Rolling each come in two parts, as they always have).

export const FLAGS = {
  ...STAKATER_COMPATIBILITY_FLAGS,
  ...CLUSTER_ACCESS_FLAGS,
  ...NAMESPACE_AND_CONFIG_SCOPE_FLAGS,
  ...ROLLING_FLAGS,
  ...ROLL_LOOP_FLAGS,
  ...KIND_SCOPE_FLAGS,
  ...ROLL_ACTION_FLAGS,
  ...HIGH_AVAILABILITY_FLAGS,
  ...ALERT_FLAGS,
  ...OBSERVABILITY_FLAGS,
  ...ANNOTATION_NAME_FLAGS,
} as const;

export type FlagKey = keyof typeof FLAGS;
/** Each flag's value, typed by its parser. */
export type FlagValues = { [K in FlagKey]: (typeof FLAGS)[K] extends FlagDef<infer T> ? T : never };

export const FLAG_KEYS = Object.keys(FLAGS) as FlagKey[];

/** Every flag of `mini-reloader run`, in help order, with its environment variable, default and description. */
export const RUN_FLAGS: readonly FlagSpec[] = Object.freeze(FLAG_KEYS.map((k) => FLAGS[k].spec));

/** Every environment variable the options read, with the flag it stands in for. */
export const RUN_ENV_VARS: readonly { readonly env: string; readonly flag: string }[] = Object.freeze(
  RUN_FLAGS.flatMap((f) => (f.env === undefined ? [] : [Object.freeze({ env: f.env, flag: f.flag })])),
);
