import { CONFIG_KINDS, type ConfigKind } from './config-kind.ts';

declare const configIdBrand: unique symbol;

/**
 * One ConfigMap or Secret of a namespace, e.g. `ConfigMap/app-settings`: the
 * key of records, notices and log fields. Made only by `referenceKey` (or
 * read by `parseConfigId`), so a plain string cannot pass for one.
 */
export type ConfigId = string & { readonly [configIdBrand]: 'ConfigId' };

/**
 * The id of a config. Kind names contain no `/`, so the id is unambiguous
 * even though object names are not checked here.
 */
export function referenceKey(kind: ConfigKind, name: string): ConfigId {
  return `${kind}/${name}` as ConfigId;
}

/** The kind and name of an id, or undefined when `text` does not start with a config kind and a `/` (the name is not checked). */
export function parseConfigId(
  text: string,
): { readonly id: ConfigId; readonly kind: ConfigKind; readonly name: string } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const kind = CONFIG_KINDS.find((k) => k.kind === text.slice(0, slash))?.kind;
  return kind === undefined ? undefined : { id: text as ConfigId, kind, name: text.slice(slash + 1) };
}
