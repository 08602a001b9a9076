/** The two kinds of object a pod can take configuration from. */
export type ConfigKind = 'ConfigMap' | 'Secret';

export interface ConfigKindInfo {
  readonly kind: ConfigKind;
  /** Plural resource name, under /api/v1. */
  readonly resource: 'configmaps' | 'secrets';
}

/** Every config kind, in the order the controller lists and reports them. */
export const CONFIG_KINDS: readonly ConfigKindInfo[] = [
  { kind: 'ConfigMap', resource: 'configmaps' },
  { kind: 'Secret', resource: 'secrets' },
];
