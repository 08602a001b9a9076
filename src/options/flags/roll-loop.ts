import { ROLL_TIMES_KEPT } from '../../model/roll-times.ts';
import { flag } from '../flag-spec.ts';
import { invalid, q, type ValueParser } from '../value-parser.ts';
import { duration, integer } from '../values.ts';

const upToADay = duration(86_400_000, '24h');

/** A window of 0 would count no roll; the breaker is turned off with --max-rolls-per-workload=0 instead. */
const rollLoopWindow: ValueParser<number> = (raw) => {
  const ms = upToADay(raw);
  if (ms < 1000) return invalid(`${q(raw)} is too short (allowed: 1s up to 24h)`);
  return ms;
};

/** The Rolling group, restart-loop breaker: after the first part, so --help keeps the group in one piece. */
export const ROLL_LOOP_FLAGS = {
  maxRollsPerWorkload: flag(
    {
      flag: 'max-rolls-per-workload',
      value: 'n',
      default: '5',
      group: 'Rolling',
      description:
        `Restart-loop breaker: a workload rolled this many times within --roll-loop-window is held (a ReloadLoop Warning Event names the configs that keep changing and who writes them), ` +
        `and rolls once, with the newest data, when the window has passed since its last roll. 0 turns it off; at most ${ROLL_TIMES_KEPT}, the roll times each workload keeps.`,
    },
    integer(0, ROLL_TIMES_KEPT),
  ),
  rollLoopWindow: flag(
    {
      flag: 'roll-loop-window',
      value: 'duration',
      default: '10m',
      group: 'Rolling',
      description: 'The window --max-rolls-per-workload counts rolls in (1s to 24h).',
    },
    rollLoopWindow,
  ),
} as const;
