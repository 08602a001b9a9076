import type { ApiClient } from './api-client.ts';
import { isForbidden, isNotFound, statusCodeOf } from './api-error.ts';
import { listPages } from './list-pages.ts';
import type { ReflectorContext } from './reflector-context.ts';
import type {
  ReflectorHandlers,
  ReflectorObserver,
  ReflectorOptions,
  ReflectorTarget,
  RelistReason,
} from './reflector-types.ts';
import { describeUnserved, watch, type WatchResult, type WatchTimings } from './watch-request.ts';

/** Permissions change rarely, and each refused try is a log line; retries are at most this far apart. */
export const FORBIDDEN_MAX_BACKOFF_MS = 300_000;

type Step =
  | { readonly kind: 'stream'; readonly reason: RelistReason }
  /** `announced`: relisted was already reported, by the stream this list stands in for. */
  | { readonly kind: 'list'; readonly reason: RelistReason; readonly announced?: true }
  | { readonly kind: 'watch'; readonly resourceVersion: string };

/**
 * Keeps handlers in step with one resource collection by list-then-watch.
 *
 * 1. The list is a streaming WATCH where the server serves it:
 *    `sendInitialEvents=true`, `resourceVersionMatch=NotOlderThan`,
 *    `resourceVersion=""` (the newest state), bookmarks on. listStarted, then
 *    each ADDED event is an upsert, and the BOOKMARK annotated
 *    `k8s.io/initial-events-end: "true"` finishes the list (listFinished,
 *    synced); the same stream then simply goes on as the watch of 4. A 410, an
 *    error, or a stream that ends before that bookmark is never finished: the
 *    stream starts over (listStarted again) after a backoff.
 * 2. Where the server does not serve it (it rejects the request with 400 or
 *    422, as kube-apiserver does with the WatchList feature off, or, once
 *    answered, sends no byte for initialEventsTimeoutMs before the bookmark,
 *    as a server that ignores sendInitialEvents does), the list is a LIST from
 *    then on for this Reflector. It is paginated with `limit` and `continue`.
 *    If a continue token expires (410 during pagination) the list restarts
 *    from scratch (listStarted again) after a backoff. A list that fails
 *    part-way is never finished: the retry calls listStarted again. A stream
 *    or list refused with 403 goes to observer.forbidden, not
 *    observer.error, and is retried with a longer backoff.
 * 3. Either way one object is parsed at a time: a watch line is one event,
 *    and a LIST page is read as it streams in, each item cut out and parsed
 *    on its own (ListItemScanner), so no page is ever one string or one
 *    object. For a sensitive target each chunk of a response is zeroed once
 *    parsed, and no event, line or item outlives the handler call: they live
 *    only in synchronous calls, never across an await (a suspended async
 *    function keeps its registers, and so the last event it handled).
 * 4. Then WATCH from the list's resourceVersion with bookmarks and a
 *    timeoutSeconds. ADDED/MODIFIED → upsert, DELETED → remove, BOOKMARK →
 *    only the resourceVersion is recorded, ERROR with code 410 (or an HTTP 410)
 *    → relist (1, or 2 once the server showed it does not stream). A watch
 *    that ends normally is resumed from the last resourceVersion without
 *    relisting. Other errors back off (full-jitter
 *    exponential, reset after a healthy watch and when the server answers
 *    again after requests that got no answer) and watch again from the last
 *    resourceVersion; if that gives 410, relist. A restart after an unhealthy
 *    watch (no events and shorter than maxBackoffMs) also backs off, so a
 *    server that ends watches at once is not hammered.
 * 5. A watchdog aborts a watch that received no bytes for watchdogMs and
 *    resumes it.
 * 6. The stream is split into lines whatever the chunk boundaries. A line that
 *    is not JSON, or an event of the wrong shape, is reported through
 *    observer.error (phase 'watch') and skipped.
 * 7. Aborting run's signal stops everything promptly: the in-flight request is
 *    aborted and timers cleared.
 * 8. Objects passed to handlers are plain parsed JSON. A list item or event
 *    object without a string metadata.name (or not JSON) is reported and
 *    skipped.
 *
 * A Reflector runs once; to start over, make a new one.
 */
export class Reflector {
  /** Resolves once the first full list has been delivered; stays pending if run stops before that. */
  readonly synced: Promise<void>;
  readonly #resolveSynced: () => void;
  #hasSynced = false;
  #started = false;
  #attempt = 0;
  /** The last request got no answer (connection refused or cut): the backoff it accrued is the outage's, not the server's. */
  #unreachable = false;
  /** Cleared for good once the server showed it does not serve initial-events streams. */
  #streams: boolean;

  readonly #target: ReflectorTarget;
  readonly #handlers: ReflectorHandlers;
  readonly #observer: ReflectorObserver;
  readonly #path: string;
  readonly #context: ReflectorContext;
  readonly #pageSize: number;
  readonly #watchTimings: WatchTimings;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;

  constructor(
    client: ApiClient,
    target: ReflectorTarget,
    handlers: ReflectorHandlers,
    observer: ReflectorObserver = {},
    options: ReflectorOptions = {},
  ) {
    this.#target = target;
    this.#handlers = handlers;
    this.#observer = observer;
    const namespace = target.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(target.namespace)}`;
    this.#path = `${target.apiPrefix}${namespace}/${target.resource}`;
    this.#context = {
      client,
      target,
      path: this.#path,
      handlers,
      call: (handler) => {
        this.#call(handler);
      },
      report: (err, phase) => {
        this.#report(err, phase);
      },
      watchOpened: () => {
        this.#call(() => {
          this.#observer.watchOpened?.();
        });
      },
      markSynced: () => {
        this.#markSynced();
      },
    };
    this.#pageSize = options.pageSize ?? 100;
    this.#minBackoffMs = options.minBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#watchTimings = {
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      watchdogMs: options.watchdogMs ?? 90_000,
      initialEventsTimeoutMs: options.initialEventsTimeoutMs ?? 30_000,
      maxBackoffMs: this.#maxBackoffMs,
    };
    this.#streams = options.streams ?? true;
    let resolveSynced = (): void => undefined;
    this.synced = new Promise((resolve) => {
      resolveSynced = resolve;
    });
    this.#resolveSynced = resolveSynced;
  }

  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** False once the server showed it does not serve initial-events streams: a Reflector that replaces this one should list page by page. */
  get streams(): boolean {
    return this.#streams;
  }

  /** Runs until signal aborts; never rejects because of API errors (it retries with backoff); resolves after abort. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('a Reflector runs once');
    this.#started = true;
    let step: Step = this.#relist('initial');
    while (!signal.aborted) {
      if (step.kind === 'stream') step = await this.#streamStep(step.reason, signal);
      else if (step.kind === 'list') step = await this.#listStep(step.reason, signal, step.announced === true);
      else step = await this.#watchStep(step.resourceVersion, signal);
    }
  }

  /** The step that lists again: a stream while the server serves them. */
  #relist(reason: RelistReason): Step {
    return this.#streams ? { kind: 'stream', reason } : { kind: 'list', reason };
  }

  async #streamStep(reason: RelistReason, signal: AbortSignal): Promise<Step> {
    this.#call(() => {
      this.#observer.relisted?.(reason);
    });
    const result = await watch(this.#context, this.#watchTimings, '', true, signal);
    if (result.listed || result.end === 'aborted') return this.#afterWatch(result, signal);
    this.#noteAnswer(result.error);
    if (result.end === 'unserved') {
      this.#streams = false;
      const why = describeUnserved(result.error);
      this.#call(() => {
        this.#observer.streamsUnserved?.(why);
      });
      return { kind: 'list', reason, announced: true };
    }
    if (this.#target.absentRetryMs !== undefined && isNotFound(result.error)) {
      // Not served: an empty list.
      this.#call(() => {
        this.#handlers.listStarted();
      });
      this.#call(() => {
        this.#handlers.listFinished();
      });
      this.#markSynced();
      await sleep(this.#target.absentRetryMs, signal);
      return { kind: 'stream', reason: 'absent' };
    }
    if (isForbidden(result.error)) {
      this.#call(() => {
        this.#observer.forbidden?.(result.error);
      });
      await this.#backoff(signal, FORBIDDEN_MAX_BACKOFF_MS);
      return { kind: 'stream', reason: 'forbidden' };
    }
    if (result.error !== undefined) this.#report(result.error, 'list');
    else if (result.end !== 'gone')
      this.#report(
        new Error(`WATCH ${this.#path}: the initial events ended before their end bookmark (${result.end})`),
        'list',
      );
    await this.#backoff(signal);
    return { kind: 'stream', reason: result.end === 'gone' ? 'gone' : 'error' };
  }

  async #listStep(reason: RelistReason, signal: AbortSignal, announced = false): Promise<Step> {
    if (!announced)
      this.#call(() => {
        this.#observer.relisted?.(reason);
      });
    let listed: { readonly resourceVersion: string } | 'expired';
    try {
      listed = await listPages(this.#context, this.#pageSize, signal);
    } catch (err) {
      if (signal.aborted) return { kind: 'list', reason };
      this.#noteAnswer(err);
      if (this.#target.absentRetryMs !== undefined && isNotFound(err)) {
        this.#call(() => {
          this.#handlers.listFinished();
        });
        this.#markSynced();
        await sleep(this.#target.absentRetryMs, signal);
        return { kind: 'list', reason: 'absent' };
      }
      if (isForbidden(err)) {
        this.#call(() => {
          this.#observer.forbidden?.(err);
        });
        await this.#backoff(signal, FORBIDDEN_MAX_BACKOFF_MS);
        return { kind: 'list', reason: 'forbidden' };
      }
      this.#report(err, 'list');
      await this.#backoff(signal);
      return { kind: 'list', reason: 'error' };
    }
    this.#noteAnswer(undefined);
    if (listed === 'expired') {
      // Tokens live for minutes, so this is rare; the backoff only guards a server that expires them at once.
      await this.#backoff(signal);
      return { kind: 'list', reason: 'gone' };
    }
    return { kind: 'watch', resourceVersion: listed.resourceVersion };
  }

  #markSynced(): void {
    if (this.#hasSynced) return;
    this.#hasSynced = true;
    this.#resolveSynced();
  }

  async #watchStep(resourceVersion: string, signal: AbortSignal): Promise<Step> {
    return this.#afterWatch(await watch(this.#context, this.#watchTimings, resourceVersion, false, signal), signal);
  }

  /** What follows a watch whose list was complete. */
  async #afterWatch(result: WatchResult, signal: AbortSignal): Promise<Step> {
    if (result.end === 'aborted') return { kind: 'watch', resourceVersion: result.resourceVersion };
    // The resource stopped being served (its CRD was removed): the list sees it as empty.
    if (this.#target.absentRetryMs !== undefined && isNotFound(result.error)) return this.#relist('absent');
    this.#noteAnswer(result.error);
    if (result.healthy) this.#attempt = 0;
    if (result.error !== undefined) this.#report(result.error, 'watch');
    if (result.end === 'gone') {
      if (!result.healthy) await this.#backoff(signal);
      return this.#relist('gone');
    }
    const end = result.end === 'unserved' ? 'error' : result.end;
    this.#call(() => {
      this.#observer.watchRestarted?.(end);
    });
    if (end === 'error' || !result.healthy) await this.#backoff(signal);
    return { kind: 'watch', resourceVersion: result.resourceVersion };
  }

  /**
   * Starts the backoff over when the server answers again after an outage:
   * the attempts that found it down would otherwise stretch the wait for the
   * relist that follows a restart (its 410) to most of maxBackoffMs, and the
   * cache would stay stale that long.
   */
  #noteAnswer(error: unknown): void {
    const unanswered = statusCodeOf(error) === 0;
    if (this.#unreachable && !unanswered) this.#attempt = 0;
    this.#unreachable = unanswered;
  }

  async #backoff(signal: AbortSignal, maxMs = this.#maxBackoffMs): Promise<void> {
    const ceiling = Math.min(maxMs, this.#minBackoffMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    await sleep(Math.random() * ceiling, signal);
  }

  /** Runs a handler or observer callback; its exception is reported, never propagated. */
  #call(handler: () => void): void {
    try {
      handler();
    } catch (err) {
      this.#report(err, 'handler');
    }
  }

  #report(err: unknown, phase: 'list' | 'watch' | 'handler'): void {
    try {
      this.#observer.error?.(err, phase);
    } catch {
      // The observer is where failures go; one that throws has nowhere left to report to.
    }
  }
}

/** Waits `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
