declare const objectNameBrand: unique symbol;

/**
 * One namespaced object of a known kind, `namespace/name`: the key the
 * config cache's relist sweep works by. Made only by `objectName` and read
 * only by `parseObjectName`.
 */
export type ObjectName = string & { readonly [objectNameBrand]: 'ObjectName' };

/** Namespaces contain no `/`, so the name may be anything. */
export function objectName(namespace: string, name: string): ObjectName {
  return `${namespace}/${name}` as ObjectName;
}

export function parseObjectName(key: ObjectName): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) throw new Error(`malformed object name "${key}"`);
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
