/**
 * Turns one raw string (from a flag or its env var) into a value, or throws
 * InvalidValue with a complete message: `"<value>" <problem> (<allowed>)`.
 */
export type ValueParser<T> = (raw: string) => T;

/** A raw value a ValueParser refuses; the message is complete, without the flag's name. */
export class InvalidValue extends Error {
  override readonly name = 'InvalidValue';
}

export function invalid(message: string): never {
  throw new InvalidValue(message);
}

/** A value as the messages quote it. */
export const q = (value: unknown): string => JSON.stringify(String(value));
