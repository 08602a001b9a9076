/**
 * The kinds of object a pod can take configuration from: ConfigMaps and
 * Secrets, and the SecretProviderClasses of the Secrets Store CSI driver
 * (--enable-csi-integration), whose versions their pod statuses report.
 */
export type ConfigKind = 'ConfigMap' | 'Secret' | 'SecretProviderClass';

export interface ConfigKindInfo {
  readonly kind: ConfigKind;
  /** Plural resource name: under /api/v1, or secrets-store.csi.x-k8s.io/v1 for SecretProviderClasses. */
  readonly resource: 'configmaps' | 'secrets' | 'secretproviderclasses';
}

/** Every config kind, in the order the controller lists and reports them. */
export const CONFIG_KINDS: readonly ConfigKindInfo[] = [
  { kind: 'ConfigMap', resource: 'configmaps' },
  { kind: 'Secret', resource: 'secrets' },
  { kind: 'SecretProviderClass', resource: 'secretproviderclasses' },
];
