import assert from 'node:assert/strict';
import { OptionsError } from '../../../src/options/options-error.ts';
import { parseRunOptions } from '../../../src/options/parse-run-options.ts';
import type { RunOptions } from '../../../src/options/run-options.ts';

export const parse = (argv: readonly string[], env: Record<string, string | undefined> = {}): RunOptions =>
  parseRunOptions(argv, env);

/** The OptionsError message for argv/env; fails the test if parsing succeeds or throws anything else. */
export function errorOf(argv: readonly string[], env: Record<string, string | undefined> = {}): string {
  try {
    parse(argv, env);
  } catch (err) {
    assert.ok(err instanceof OptionsError, `expected an OptionsError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(argv)} to be rejected`);
}

export function assertMentions(message: string, ...parts: string[]): void {
  for (const part of parts)
    assert.ok(message.includes(part), `expected ${JSON.stringify(message)} to mention ${JSON.stringify(part)}`);
}

/** Each argv/env is rejected with an OptionsError whose message mentions every part. */
export function assertEachRejected(
  cases: readonly { argv: string[]; env?: Record<string, string>; mentions: string[] }[],
): void {
  for (const c of cases) assertMentions(errorOf(c.argv, c.env), ...c.mentions);
}

/** Each argv parses, without warnings, to options that include `expect`. */
export function assertEachParses(cases: readonly { argv: string[]; expect: Partial<RunOptions> }[]): void {
  for (const c of cases) {
    const o = parse(c.argv);
    for (const [key, value] of Object.entries(c.expect))
      assert.deepEqual(o[key as keyof RunOptions], value, `${c.argv.join(' ')}: ${key}`);
    assert.deepEqual(o.warnings, [], c.argv.join(' '));
  }
}
