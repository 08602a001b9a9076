import { parseBool } from '../parse-bool.ts';

// Values as the chart's templates test them: Helm's notions of set, empty and true.

/** A parsed values file, or a map inside one. */
export type Values = Record<string, unknown>;

export function isMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** As the chart's isSet: not null, not "", not an empty list. */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}
/** As Helm's `with`: also not false, 0 or an empty map. */
export function isNonEmpty(v: unknown): boolean {
  return isSet(v) && v !== false && v !== 0 && !(isMap(v) && Object.keys(v).length === 0);
}
/** A scalar value as text (a map or list as JSON, which no Stakater key holds where text is wanted). */
export function text(v: unknown): string {
  return typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : v === undefined || v === null
        ? ''
        : JSON.stringify(v);
}
export const isTrue = (v: unknown): boolean => v === true || (typeof v === 'string' && parseBool(v) === true);
export const isFalse = (v: unknown): boolean => v === false || (typeof v === 'string' && parseBool(v) === false);
export const sameJson = (a: unknown, b: unknown): boolean =>
  JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}
