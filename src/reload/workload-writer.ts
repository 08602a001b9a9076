import type { ApiClient } from '../kube/api-client.ts';
import { kindInfo } from '../workload/workload-kind.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';

/**
 * Writes the controller's marks on a workload with server-side apply under one
 * field manager, so GitOps tools can be told to ignore exactly that manager.
 * Each apply carries the cached resourceVersion as a precondition: a write
 * decided on a stale cache fails with 409 and is retried once the cache has
 * caught up, instead of rolling twice. Because an apply states every field the
 * manager owns, a field left out (the adoption baseline, once a roll has
 * happened) is removed.
 */
export class WorkloadWriter {
  readonly #client: ApiClient;
  readonly #fieldManager: string;
  readonly #hashAnnotation: string;
  readonly #baselineAnnotation: string;

  constructor(client: ApiClient, options: { fieldManager: string; hashAnnotation: string; baselineAnnotation: string }) {
    this.#client = client;
    this.#fieldManager = options.fieldManager;
    this.#hashAnnotation = options.hashAnnotation;
    this.#baselineAnnotation = options.baselineAnnotation;
  }

  /** Records the hash the running pods already match, on the workload's metadata: no rollout. */
  async adopt(workload: WorkloadRecord, hash: string): Promise<void> {
    await this.#apply(workload, { annotations: { [this.#baselineAnnotation]: hash } }, undefined);
  }

  /** Sets the pod-template hash: the change of template is what starts the rollout. */
  async roll(workload: WorkloadRecord, hash: string): Promise<void> {
    await this.#apply(workload, {}, { template: { metadata: { annotations: { [this.#hashAnnotation]: hash } } } });
  }

  async #apply(workload: WorkloadRecord, metadata: Record<string, unknown>, spec: Record<string, unknown> | undefined): Promise<void> {
    const info = kindInfo(workload.kind);
    const body = {
      apiVersion: info.apiVersion,
      kind: info.kind,
      metadata: { name: workload.name, namespace: workload.namespace, resourceVersion: workload.resourceVersion, ...metadata },
      ...(spec === undefined ? {} : { spec }),
    };
    await this.#client.json({
      method: 'PATCH',
      path: `${info.apiPrefix}/namespaces/${encodeURIComponent(workload.namespace)}/${info.resource}/${encodeURIComponent(workload.name)}`,
      query: { fieldManager: this.#fieldManager, force: true },
      contentType: 'application/apply-patch+yaml',
      body,
    });
  }
}
