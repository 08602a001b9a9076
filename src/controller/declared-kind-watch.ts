import { setTimeout as delay } from 'node:timers/promises';
import type { ApiClient } from '../kube/api-client.ts';
import { discoverResource } from '../kube/api-discovery.ts';
import type { Logger } from '../logger.ts';
import { declaredKindId, type DeclaredWorkloadKind } from '../model/declared-kind.ts';
import { serveDeclaredKind, type WorkloadKindInfo } from '../model/workload-kind.ts';
import { ReflectorSet } from './reflector-set.ts';
import { untilAborted } from './until-aborted.ts';

export interface DeclaredKindWatchOptions {
  readonly client: ApiClient;
  readonly logger: Logger;
  /** Adds the reflectors of a kind discovery found (one per namespace scope) to a set of its own. */
  readonly addReflectors: (info: WorkloadKindInfo, set: ReflectorSet) => void;
  /** How long to wait before asking discovery again about a kind that is not served. */
  readonly retryMs: number;
}

/**
 * The kinds declared with --workload-kind, each found through discovery and
 * then watched like a built-in kind. A kind that is not served (its CRD is
 * not installed) is asked about again every `retryMs`, and watched from the
 * moment it is: it holds up nothing meanwhile, as the Argo Rollouts watch
 * does. Once found, a kind keeps its resource; a CRD removed later reads as
 * an empty list until it is back.
 *
 * A refused list (missing RBAC) is the reflectors' business: it is reported
 * by the observer the controller gives them, and stops nothing else.
 */
export class DeclaredKindWatch {
  readonly #kinds: readonly DeclaredWorkloadKind[];
  readonly #options: DeclaredKindWatchOptions;
  /** The sets of the kinds found so far. */
  readonly #sets: ReflectorSet[] = [];
  /** One per kind: resolves once it was first found not served, or found and synced. */
  readonly #settled: PromiseWithResolvers<undefined>[];

  constructor(kinds: readonly DeclaredWorkloadKind[], options: DeclaredKindWatchOptions) {
    this.#kinds = kinds;
    this.#options = options;
    this.#settled = kinds.map(() => Promise.withResolvers<undefined>());
  }

  /** Resolves once each kind was found and synced, or found not served (its cache is then empty). */
  async synced(): Promise<void> {
    await Promise.all(this.#settled.map((s) => s.promise));
  }

  /** Follows every kind until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(
      this.#kinds.map((kind, i) =>
        this.#follow(kind, signal, () => {
          this.#settled[i]?.resolve(undefined);
        }),
      ),
    );
  }

  /** Starts the watches of the kinds found over with a fresh list. */
  async relist(): Promise<void> {
    await Promise.all(
      this.#sets.map(async (set) => {
        await set.relist();
        await set.synced();
      }),
    );
  }

  async #follow(kind: DeclaredWorkloadKind, signal: AbortSignal, settle: () => void): Promise<void> {
    const { client, logger, retryMs } = this.#options;
    const fields = { kind: declaredKindId(kind), declaration: kind.declaration };
    let reported: string | undefined;
    while (!signal.aborted) {
      let why: string;
      try {
        const found = await discoverResource(client, kind, signal);
        if (found.served) {
          await this.#watch(serveDeclaredKind(kind, found.resource), signal, settle);
          return;
        }
        why = found.why;
      } catch (err) {
        // The client rejects with the signal's own reason once it aborted: that is no failure.
        if (err === signal.reason) return;
        why = `discovery failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (why !== reported)
        logger.warn(
          { ...fields, why },
          `declared workload kind not followed yet: ${why}; looking again every ${retryMs / 1000}s`,
        );
      reported = why;
      settle();
      await delay(retryMs, undefined, { signal }).catch(() => undefined);
    }
  }

  async #watch(info: WorkloadKindInfo, signal: AbortSignal, settle: () => void): Promise<void> {
    const set = new ReflectorSet(this.#options.client);
    this.#options.addReflectors(info, set);
    this.#sets.push(set);
    this.#options.logger.info(
      { kind: info.kind, apiVersion: info.apiVersion, resource: info.resource },
      'following a declared workload kind',
    );
    const running = set.run(signal);
    await Promise.race([set.synced(), untilAborted(signal)]);
    settle();
    await running;
  }
}
