/**
 * A bad flag or environment variable. The message starts with the flag or
 * variable, then the bad value and what is allowed, e.g.
 * `--debounce: "abc" is not a duration (examples: 2s, 500ms, 0)`.
 */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}
