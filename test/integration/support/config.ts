import type { Clients } from './cluster.ts';

export const ENABLED_LABEL = { 'mini-reloader.pelabs/enabled': 'true' };
export const AUTO = { 'reloader.stakater.com/auto': 'true' };
export const HASH_ANNOTATION = 'mini-reloader.pelabs/config-hash';

export async function createConfigMap(
  c: Clients,
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): Promise<void> {
  await c.core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels, annotations }, data } });
}

export async function createSecret(
  c: Clients,
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): Promise<void> {
  await c.core.createNamespacedSecret({ namespace, body: { metadata: { name, labels }, stringData: data } });
}

/** Read-modify-write of some keys; other keys, labels and annotations stay. */
export async function updateConfigMap(
  c: Clients,
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
): Promise<void> {
  const cm = await c.core.readNamespacedConfigMap({ name, namespace });
  cm.data = { ...cm.data, ...data };
  if (labels !== undefined) {
    cm.metadata ??= {};
    cm.metadata.labels = { ...cm.metadata.labels, ...labels };
  }
  await c.core.replaceNamespacedConfigMap({ name, namespace, body: cm });
}

export async function updateSecret(
  c: Clients,
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  const secret = await c.core.readNamespacedSecret({ name, namespace });
  secret.data = {
    ...secret.data,
    ...Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
  await c.core.replaceNamespacedSecret({ name, namespace, body: secret });
}
