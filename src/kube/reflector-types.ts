import type { KubeObject } from './kube-object.ts';

export interface ReflectorTarget {
  /** '/api/v1' or '/apis/apps/v1' etc. */
  readonly apiPrefix: string;
  /** Plural resource: 'configmaps', 'secrets', 'deployments' … */
  readonly resource: string;
  /** Undefined = all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Secret lists/watches: errors must never carry bodies, and response bytes are zeroed once parsed. */
  readonly sensitive?: boolean;
  /**
   * The resource may not be served (its CRD is not installed). A 404 then
   * reads as an empty list, so the caches still sync, and the list is tried
   * again every `absentRetryMs` until the resource appears.
   */
  readonly absentRetryMs?: number;
}

/**
 * Handlers run synchronously, in order, one event at a time. They receive the
 * parsed JSON object and must not keep a reference to it beyond the call (the
 * store extracts what it needs). A handler exception is reported through
 * observer.error (phase 'handler') and does NOT stop the loop.
 */
export interface ReflectorHandlers {
  /** A full list begins. Objects from the list follow via upsert. */
  listStarted(): void;
  upsert(obj: KubeObject): void;
  remove(obj: KubeObject): void;
  /** The full list finished: anything not upserted since listStarted() is gone. */
  listFinished(): void;
}

/** All optional; used for metrics and logs. */
export interface ReflectorObserver {
  /**
   * A list starts (an initial-events stream, or a paginated LIST where the
   * server does not stream): the first one ('initial'), after a 410 from a
   * watch, a stream or an expired continue token ('gone'), a retry after a
   * failed list or a stream cut before its end ('error'), another look for
   * a resource that was not served ('absent'), or another try at a list that
   * was refused ('forbidden').
   */
  relisted?(reason: RelistReason): void;
  /**
   * The list was refused (403: this identity may not list the resource in
   * this scope). Nothing is delivered and the handlers keep what they hold;
   * the list is tried again with backoff, up to FORBIDDEN_MAX_BACKOFF_MS apart.
   */
  forbidden?(err: unknown): void;
  /**
   * A watch starts again from the last resourceVersion, without a list: the
   * server ended the stream ('timeout', normally timeoutSeconds elapsing), the
   * connection broke mid-stream ('closed'), the watch failed ('error': a
   * non-2xx other than 410, a connection failure, an ERROR event other than
   * 410), or it went silent for watchdogMs ('watchdog').
   */
  watchRestarted?(reason: 'timeout' | 'closed' | 'error' | 'watchdog'): void;
  /**
   * A watch from the last resourceVersion of a delivered list was answered:
   * the changes since then follow on it, so the handlers are current again
   * after a watchRestarted (a relist is current again at listFinished).
   */
  watchOpened?(): void;
  /**
   * The server does not serve initial-events streams (`why`: 'HTTP 422',
   * 'HTTP 400' or 'no end bookmark'); this Reflector lists page by page from
   * now on.
   */
  streamsUnserved?(why: string): void;
  /** A failure the loop recovers from; never carries a response body of a sensitive target. */
  error?(err: unknown, phase: 'list' | 'watch' | 'handler'): void;
}

export interface ReflectorOptions {
  /** Items per LIST page, where the server does not stream lists; default 100. */
  readonly pageSize?: number;
  /** Default random in [300, 600) per watch, to spread reconnects. */
  readonly watchTimeoutSeconds?: number;
  /** Abort a watch that received no bytes for this long; default 90_000 (bookmarks arrive about once a minute). */
  readonly watchdogMs?: number;
  /**
   * An initial-events stream that, once answered, goes this long without a
   * byte before its end bookmark is taken for a server that does not stream
   * lists (it ignored sendInitialEvents); default 30_000, well beyond what a
   * loaded API server takes to start sending, since a wrong guess costs LISTs
   * for the Reflector's lifetime.
   */
  readonly initialEventsTimeoutMs?: number;
  /** Default 1000; full jitter exponential. */
  readonly minBackoffMs?: number;
  /** Default 30_000. */
  readonly maxBackoffMs?: number;
  /**
   * False when an earlier Reflector of this target already found that the
   * server does not serve initial-events streams: list page by page from the
   * start, without asking again (see `streams`). Default true.
   */
  readonly streams?: boolean;
}

export type RelistReason = 'initial' | 'gone' | 'error' | 'absent' | 'forbidden';
