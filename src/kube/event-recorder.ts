import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { ApiClient } from './api-client.ts';

export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  /** '' for a cluster-scoped object (a Namespace): its Events go to `default`, as client-go records them. */
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * Records Kubernetes Events on the objects the controller acts on. Recording
 * is best effort and never delays or fails a reconcile: a failure is logged.
 */
export class EventRecorder {
  readonly #client: ApiClient;
  readonly #component: string;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(client: ApiClient, component: string, logger: Logger) {
    this.#client = client;
    this.#component = component;
    this.#logger = logger;
  }

  record(subject: EventSubject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = new Date().toISOString();
    const namespace = subject.namespace === '' ? 'default' : subject.namespace;
    const sending = this.#client
      .send({
        method: 'POST',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${subject.name}.${randomBytes(8).toString('hex')}`, namespace },
          involvedObject: {
            apiVersion: subject.apiVersion,
            kind: subject.kind,
            ...(subject.namespace === '' ? {} : { namespace: subject.namespace }),
            name: subject.name,
            uid: subject.uid,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: this.#component },
          reportingComponent: this.#component,
          reportingInstance: this.#component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      .then(
        () => undefined,
        (err: unknown) => {
          this.#logger.warn(
            { err: String(err), object: `${subject.kind}/${subject.namespace}/${subject.name}`, reason },
            'could not record event',
          );
        },
      )
      .finally(() => {
        this.#pending.delete(sending);
      });
    this.#pending.add(sending);
  }

  /** Waits for events still being sent, for a clean shutdown. */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
