import type { TestContext } from 'node:test';
import { apiClient, eventually, type Clients } from './cluster.ts';

export type Json = Record<string, unknown>;

export async function getJson(c: Clients, path: string): Promise<Json> {
  return (await apiClient(c)).json<Json>({ method: 'GET', path });
}

export async function post(c: Clients, path: string, body: unknown): Promise<void> {
  await (await apiClient(c)).json({ method: 'POST', path, body });
}

export function at(obj: unknown, ...path: string[]): unknown {
  let node = obj;
  for (const p of path) node = (node as Record<string, unknown> | undefined)?.[p];
  return node;
}

/**
 * Installs a namespaced CRD with a schema that keeps any field (no
 * controller serves it: the tests look at what is written), removed when the
 * test ends; resolves once the API server serves it.
 */
export async function installCrd(
  t: TestContext,
  c: Clients,
  crd: { group: string; version: string; kind: string; plural: string },
): Promise<void> {
  const name = `${crd.plural}.${crd.group}`;
  await post(c, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: crd.group,
      scope: 'Namespaced',
      names: { kind: crd.kind, listKind: `${crd.kind}List`, plural: crd.plural, singular: crd.kind.toLowerCase() },
      versions: [
        {
          name: crd.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  });
  t.after(async () => {
    await (
      await apiClient(c)
    )
      .json({ method: 'DELETE', path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}` })
      .catch(() => undefined);
  });
  await eventually(`the ${name} CRD to be served`, async () => {
    const list = await getJson(c, `/apis/${crd.group}/${crd.version}`).catch(() => undefined);
    const resources = list?.resources;
    return Array.isArray(resources) && resources.some((r) => at(r, 'name') === crd.plural) ? true : undefined;
  });
}
