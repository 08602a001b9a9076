const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['1', true],
  ['t', true],
  ['T', true],
  ['TRUE', true],
  ['true', true],
  ['True', true],
  ['0', false],
  ['f', false],
  ['F', false],
  ['FALSE', false],
  ['false', false],
  ['False', false],
]);

/**
 * A boolean as Go's `strconv.ParseBool` reads it, which is how Stakater
 * reads its boolean annotations: `1, t, T, TRUE, true, True` and
 * `0, f, F, FALSE, false, False`, nothing else (no spaces, no `yes`).
 * Undefined when absent or not a boolean.
 */
export function parseBool(text: string | undefined): boolean | undefined {
  return text === undefined ? undefined : BOOLEANS.get(text);
}
