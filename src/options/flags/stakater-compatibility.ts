import { flag } from '../flag-spec.ts';
import { booleanValue } from '../values.ts';

/** The switch to Stakater Reloader's defaults. */
export const STAKATER_COMPATIBILITY_FLAGS = {
  stakaterDefaults: flag(
    {
      flag: 'stakater-defaults',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Stakater Reloader compatibility',
      description:
        "Use Stakater Reloader's defaults where ours differ: --log-format text (logfmt), --reload-strategy env-vars, and Argo Rollouts only with --is-Argo-Rollouts. " +
        'A flag given explicitly still wins.',
    },
    booleanValue,
  ),
} as const;
