import { isMap, type Values } from './helm-values.ts';
import { STAKATER_KEYS } from './stakater-keys.ts';

/** The top-level keys that only Stakater's chart has; everything else is passed on as this chart's. */
export const STAKATER_ONLY = new Set(['reloader', 'global', 'kubernetes']);

/** Dotted paths of the leaves of `v` that are keys of Stakater's chart, and of the unknown ones. */
export function inputKeys(v: Values): { known: string[]; unknown: string[] } {
  const known: string[] = [];
  const unknown: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (STAKATER_KEYS.includes(path)) {
      known.push(path);
      return;
    }
    if (isMap(node) && STAKATER_KEYS.some((k) => k.startsWith(`${path}.`))) {
      for (const [k, child] of Object.entries(node)) walk(child, `${path}.${k}`);
      return;
    }
    unknown.push(path);
  };
  for (const top of STAKATER_ONLY) if (top in v) walk(v[top], top);
  for (const k of ['name', 'digest']) if (isMap(v.image) && k in v.image) known.push(`image.${k}`);
  return { known, unknown };
}
