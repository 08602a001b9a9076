/**
 * A workload kind declared with --workload-kind, as configuration rather
 * than code: where its pod template sits and how a roll is written.
 */
export interface DeclaredWorkloadKind {
  /** The declaration as given (a preset's name, or GROUP/VERSION/KIND[,…]): what messages name. */
  readonly declaration: string;
  /** API group, never empty: the core group holds no workloads. */
  readonly group: string;
  readonly version: string;
  /** The kind as the API spells it, e.g. CloneSet. */
  readonly kind: string;
  /** Plural resource name; undefined: the one discovery reports for the kind. */
  readonly resource: string | undefined;
  /** Where the pod template sits, e.g. [spec, template]: references are read there. */
  readonly templatePath: readonly string[];
  /** Set: a roll sets this field to the current time (RFC 3339) instead of marking the template. */
  readonly restartField: readonly string[] | undefined;
}

/**
 * The identity of a declared kind in workload keys, metrics and logs:
 * `Kind.group` (e.g. `CloneSet.apps.kruise.io`), the spelling kubectl
 * accepts. The group is part of it because kinds repeat across groups
 * (OpenKruise's StatefulSet); the version is not, since every version of a
 * kind serves the same objects. No built-in kind name holds a dot.
 */
export type DeclaredKindId = `${string}.${string}`;

export function declaredKindId(kind: Pick<DeclaredWorkloadKind, 'group' | 'kind'>): DeclaredKindId {
  return `${kind.kind}.${kind.group}`;
}
