import { setTimeout as sleep } from 'node:timers/promises';
import { ApiStatusError, type AdminApi, type WatchEvent } from './admin-api.ts';

interface Deployment {
  readonly metadata: {
    readonly namespace: string;
    readonly name: string;
    readonly resourceVersion: string;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: { readonly template: unknown };
}

interface Tracked {
  template: string;
  annotations: Readonly<Record<string, string>>;
  /** When a watch saw the pod template change (ms since the epoch). */
  readonly changes: number[];
}

const PAGE = 500;

/**
 * Every pod-template change of the labelled Deployments, as a watch sees it.
 * A rollout is a pod-template change: `metadata.generation` also moves when
 * only metadata annotations change, so it is never used to count rollouts.
 */
export class TemplateWatch {
  readonly #api: AdminApi;
  readonly #selector: string;
  readonly #deployments = new Map<string, Tracked>();
  readonly #listeners = new Set<() => void>();
  readonly #stop = new AbortController();
  #resourceVersion = '';
  #loop: Promise<void> = Promise.resolve();

  private constructor(api: AdminApi, labelSelector: string) {
    this.#api = api;
    this.#selector = encodeURIComponent(labelSelector);
  }

  /** Lists the Deployments once, then follows them until `stop`. */
  static async start(api: AdminApi, labelSelector: string): Promise<TemplateWatch> {
    const watch = new TemplateWatch(api, labelSelector);
    await watch.#list();
    watch.#loop = watch.#follow();
    return watch;
  }

  /** Times of the template changes of namespace/name within (from, to]. */
  changes(key: string, from: number, to = Infinity): number[] {
    return (this.#deployments.get(key)?.changes ?? []).filter((t) => t > from && t <= to);
  }

  annotations(key: string): Readonly<Record<string, string>> | undefined {
    return this.#deployments.get(key)?.annotations;
  }

  keys(): string[] {
    return [...this.#deployments.keys()];
  }

  /** Resolves true once `condition` holds (checked now and after every event), false after timeoutMs. */
  async until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return true;
    return new Promise((resolve) => {
      const done = (result: boolean): void => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve(result);
      };
      const check = (): void => {
        if (condition()) done(true);
      };
      const timer = setTimeout(() => {
        done(false);
      }, timeoutMs);
      this.#listeners.add(check);
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #list(): Promise<void> {
    let next = '';
    const seen = new Set<string>();
    do {
      const page = await this.#api.json<{
        metadata: { resourceVersion: string; continue?: string };
        items: Deployment[];
      }>(
        'GET',
        `/apis/apps/v1/deployments?labelSelector=${this.#selector}&limit=${PAGE}${next === '' ? '' : `&continue=${encodeURIComponent(next)}`}`,
      );
      for (const d of page.items) {
        this.#apply(d);
        seen.add(keyOf(d));
      }
      this.#resourceVersion = page.metadata.resourceVersion;
      next = page.metadata.continue ?? '';
    } while (next !== '');
    for (const key of this.#deployments.keys()) if (!seen.has(key)) this.#deployments.delete(key);
    this.#notify();
  }

  async #follow(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      try {
        await this.#api.watch<Deployment>(
          `/apis/apps/v1/deployments?watch=true&labelSelector=${this.#selector}&resourceVersion=${this.#resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=3600`,
          (event) => {
            this.#onEvent(event);
          },
          this.#stop.signal,
        );
      } catch (err) {
        if (err instanceof ApiStatusError && err.status === 410) {
          await this.#list();
          continue;
        }
        console.error(`[bench] deployment watch: ${String(err)}; retrying`);
        await sleep(1000);
      }
    }
  }

  #onEvent(event: WatchEvent<Deployment>): void {
    if (event.type === 'ERROR') {
      // An expired resourceVersion arrives as an ERROR event: start over from a fresh list.
      this.#resourceVersion = '';
      throw new ApiStatusError(
        'WATCH',
        'deployments',
        (event.object as unknown as { code?: number }).code ?? 0,
        'watch error event',
      );
    }
    this.#resourceVersion = event.object.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'DELETED') this.#deployments.delete(keyOf(event.object));
    else this.#apply(event.object);
    this.#notify();
  }

  #apply(d: Deployment): void {
    const key = keyOf(d);
    const template = JSON.stringify(d.spec.template);
    const annotations = d.metadata.annotations ?? {};
    const known = this.#deployments.get(key);
    if (known === undefined) {
      this.#deployments.set(key, { template, annotations, changes: [] });
      return;
    }
    if (known.template !== template) known.changes.push(Date.now());
    known.template = template;
    known.annotations = annotations;
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

function keyOf(d: Deployment): string {
  return `${d.metadata.namespace}/${d.metadata.name}`;
}
