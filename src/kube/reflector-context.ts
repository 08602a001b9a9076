import type { ApiClient } from './api-client.ts';
import type { ReflectorHandlers, ReflectorTarget } from './reflector-types.ts';

/** What a Reflector's list and watch requests share with it: where to ask, and where what they read goes. */
export interface ReflectorContext {
  readonly client: ApiClient;
  readonly target: ReflectorTarget;
  /** The collection's path: `${apiPrefix}/namespaces/${namespace}/${resource}`, or without the namespace. */
  readonly path: string;
  readonly handlers: ReflectorHandlers;
  /** Runs a handler or observer callback; its exception is reported, never propagated. */
  call(handler: () => void): void;
  /** Reports a failure the loop recovers from to the observer. */
  report(err: unknown, phase: 'list' | 'watch' | 'handler'): void;
  /** A watch from a delivered list's resourceVersion was answered: what changed since follows on it. */
  watchOpened(): void;
  /** A full list was delivered: the Reflector has synced. */
  markSynced(): void;
}
