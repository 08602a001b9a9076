import type { ApiClient } from '../kube/api-client.ts';
import { ApiError } from '../kube/api-error.ts';
import { Reflector } from '../kube/reflector.ts';
import type { ReflectorHandlers, ReflectorTarget } from '../kube/reflector-types.ts';

/**
 * Delivers one full list of `target` to `handlers`, as the controller's
 * reflector would (streamed or paged, Secret bytes zeroed), then stops.
 * A failed request (a refusal included) rejects with its ApiError at once
 * instead of retrying; other problems, such as an item that is not JSON,
 * are passed to `warn` and the list goes on.
 */
export async function listOnce(
  client: ApiClient,
  target: ReflectorTarget,
  handlers: ReflectorHandlers,
  warn: (message: string) => void,
): Promise<void> {
  const stop = new AbortController();
  let failure: Error | undefined;
  const fail = (err: unknown): void => {
    failure ??= err instanceof Error ? err : new Error(String(err));
    stop.abort();
  };
  const reflector = new Reflector(client, target, handlers, {
    forbidden: fail,
    error: (err) => {
      if (err instanceof ApiError) fail(err);
      else warn(err instanceof Error ? err.message : String(err));
    },
  });
  const running = reflector.run(stop.signal);
  await Promise.race([reflector.synced, running]);
  stop.abort();
  await running;
  if (!reflector.hasSynced()) throw failure ?? new Error(`listing ${target.resource} stopped before it was complete`);
}
