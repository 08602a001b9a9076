import type { ApiClient } from './api-client.ts';
import { ApiError, apiErrorFromStatusObject, isForbidden, isGone, isNotFound, statusCodeOf } from './api-error.ts';
import type { ParsedJson } from './json-bytes.ts';
import { JsonLineSplitter, type JsonLine } from './json-lines.ts';
import { ListItemScanner, type ListEnvelope } from './list-items.ts';

export type KubeObject = {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
};

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

/** Permissions change rarely, and each refused try is a log line; retries are at most this far apart. */
export const FORBIDDEN_MAX_BACKOFF_MS = 300_000;
type Step =
  | { readonly kind: 'stream'; readonly reason: RelistReason }
  /** `announced`: relisted was already reported, by the stream this list stands in for. */
  | { readonly kind: 'list'; readonly reason: RelistReason; readonly announced?: true }
  | { readonly kind: 'watch'; readonly resourceVersion: string };
/** 'unserved': an initial-events stream the server does not serve. */
type WatchEnd = 'timeout' | 'closed' | 'error' | 'watchdog' | 'gone' | 'aborted' | 'unserved';

/** What a watch has done so far; its event handling moves it on. */
interface WatchProgress {
  /** The newest resourceVersion seen: where the next watch resumes. */
  resourceVersion: string;
  /** Events and bookmarks delivered. */
  events: number;
  /** The watch's list is complete: a plain watch, or an initial-events stream past its end bookmark. */
  listed: boolean;
}

interface WatchResult {
  readonly end: WatchEnd;
  /** The newest resourceVersion seen: where the next watch resumes. */
  readonly resourceVersion: string;
  /** Whether the list was complete when it ended (see WatchProgress). */
  readonly listed: boolean;
  /** It delivered events or bookmarks, or ran at least maxBackoffMs: the backoff starts over. */
  readonly healthy: boolean;
  readonly error?: unknown;
}

interface ListPage {
  readonly resourceVersion: string;
  readonly continueToken: string | undefined;
}

/** The annotation on the BOOKMARK that ends an initial-events stream. */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** What one watch event asks of the loop. */
type EventOutcome =
  { readonly stop: false } | { readonly stop: true; readonly end: 'gone' | 'error'; readonly error: unknown };

const keepWatching: EventOutcome = { stop: false };

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
 *    exponential, reset after a healthy watch) and watch again from the last
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
  /** Cleared for good once the server showed it does not serve initial-events streams. */
  #streams: boolean;

  readonly #client: ApiClient;
  readonly #target: ReflectorTarget;
  readonly #handlers: ReflectorHandlers;
  readonly #observer: ReflectorObserver;
  readonly #path: string;
  readonly #pageSize: number;
  readonly #watchTimeoutSeconds: number | undefined;
  readonly #watchdogMs: number;
  readonly #initialEventsTimeoutMs: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;

  constructor(
    client: ApiClient,
    target: ReflectorTarget,
    handlers: ReflectorHandlers,
    observer: ReflectorObserver = {},
    options: ReflectorOptions = {},
  ) {
    this.#client = client;
    this.#target = target;
    this.#handlers = handlers;
    this.#observer = observer;
    const namespace = target.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(target.namespace)}`;
    this.#path = `${target.apiPrefix}${namespace}/${target.resource}`;
    this.#pageSize = options.pageSize ?? 100;
    this.#watchTimeoutSeconds = options.watchTimeoutSeconds;
    this.#watchdogMs = options.watchdogMs ?? 90_000;
    this.#initialEventsTimeoutMs = options.initialEventsTimeoutMs ?? 30_000;
    this.#minBackoffMs = options.minBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
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
    const result = await this.#watch('', true, signal);
    if (result.listed || result.end === 'aborted') return this.#afterWatch(result, signal);
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
      listed = await this.#list(signal);
    } catch (err) {
      if (signal.aborted) return { kind: 'list', reason };
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
    if (listed === 'expired') {
      // Tokens live for minutes, so this is rare; the backoff only guards a server that expires them at once.
      await this.#backoff(signal);
      return { kind: 'list', reason: 'gone' };
    }
    return { kind: 'watch', resourceVersion: listed.resourceVersion };
  }

  /** Delivers one full list; 'expired' when a continue token expired part-way. */
  async #list(signal: AbortSignal): Promise<{ readonly resourceVersion: string } | 'expired'> {
    this.#call(() => {
      this.#handlers.listStarted();
    });
    let continueToken: string | undefined;
    for (;;) {
      let body: AsyncIterable<Uint8Array>;
      try {
        body = await this.#client.stream({
          method: 'GET',
          path: this.#path,
          query: {
            limit: this.#pageSize,
            continue: continueToken,
            labelSelector: this.#target.labelSelector,
            fieldSelector: this.#target.fieldSelector,
          },
          signal,
          sensitive: this.#target.sensitive === true,
        });
      } catch (err) {
        if (continueToken !== undefined && isGone(err)) return 'expired';
        throw err;
      }
      const page = await this.#readPage(body);
      if (page.continueToken === undefined) {
        this.#call(() => {
          this.#handlers.listFinished();
        });
        this.#markSynced();
        return { resourceVersion: page.resourceVersion };
      }
      continueToken = page.continueToken;
    }
  }

  /** Upserts a page's items as they stream in. */
  async #readPage(body: AsyncIterable<Uint8Array>): Promise<ListPage> {
    const scanner = new ListItemScanner();
    try {
      for await (const chunk of body) this.#onListChunk(scanner, chunk);
    } catch (err) {
      // Our own scanner's and the transport's messages never quote the body.
      throw new ApiError({
        method: 'GET',
        path: this.#path,
        statusCode: 0,
        detail: `reading the list failed: ${err instanceof Error ? err.message : String(err)}`,
        cause: err,
      });
    }
    return listPageOf(scanner.end(), this.#path);
  }

  #onListChunk(scanner: ListItemScanner, chunk: Uint8Array): void {
    try {
      scanner.push(chunk, (item) => {
        this.#onListItem(item);
      });
    } finally {
      if (this.#target.sensitive === true) chunk.fill(0);
    }
  }

  #onListItem(item: ParsedJson): void {
    if (!item.ok)
      this.#report(
        new Error(`LIST ${this.#path}: skipped an item that is not JSON (${item.length} characters)`),
        'list',
      );
    else if (isKubeObject(item.value)) {
      const object = item.value;
      this.#call(() => {
        this.#handlers.upsert(object);
      });
    } else this.#report(new Error(`LIST ${this.#path}: skipped an item without metadata.name`), 'list');
  }

  #markSynced(): void {
    if (this.#hasSynced) return;
    this.#hasSynced = true;
    this.#resolveSynced();
  }

  async #watchStep(resourceVersion: string, signal: AbortSignal): Promise<Step> {
    return this.#afterWatch(await this.#watch(resourceVersion, false, signal), signal);
  }

  /** What follows a watch whose list was complete. */
  async #afterWatch(result: WatchResult, signal: AbortSignal): Promise<Step> {
    if (result.end === 'aborted') return { kind: 'watch', resourceVersion: result.resourceVersion };
    // The resource stopped being served (its CRD was removed): the list sees it as empty.
    if (this.#target.absentRetryMs !== undefined && isNotFound(result.error)) return this.#relist('absent');
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
   * One watch request, from `fromResourceVersion`, or an initial-events
   * stream when `initial` (which calls listStarted once answered, and
   * listFinished at its end bookmark).
   */
  async #watch(fromResourceVersion: string, initial: boolean, signal: AbortSignal): Promise<WatchResult> {
    const started = performance.now();
    const progress: WatchProgress = { resourceVersion: fromResourceVersion, events: 0, listed: !initial };
    const finish = (end: WatchEnd, error?: unknown): WatchResult => ({
      end,
      resourceVersion: progress.resourceVersion,
      listed: progress.listed,
      healthy: progress.events > 0 || performance.now() - started >= this.#maxBackoffMs,
      ...(error === undefined ? {} : { error }),
    });

    const abort = new AbortController();
    const onAbort = (): void => {
      abort.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Which timer aborted the request, if one did.
    let timedOut: 'watchdog' | 'unserved' | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    // Before its end bookmark an answered stream gets the short initialEventsTimeoutMs.
    let answered = false;
    const feedWatchdog = (): void => {
      clearTimeout(watchdog);
      const awaitingEnd = answered && !progress.listed;
      const ms = awaitingEnd ? this.#initialEventsTimeoutMs : this.#watchdogMs;
      watchdog = setTimeout(() => {
        timedOut = awaitingEnd ? 'unserved' : 'watchdog';
        abort.abort(new Error(`WATCH ${this.#path}: no bytes for ${ms} ms`));
      }, ms);
    };
    // Where the request or a read failed, why decides what comes next.
    const failed = (err: unknown, otherwise: 'closed' | 'error'): WatchResult => {
      if (signal.aborted) return finish('aborted');
      if (timedOut !== undefined) return finish(timedOut);
      if (isGone(err)) return finish('gone');
      if (initial && !answered && servesNoStreams(err)) return finish('unserved', err);
      return finish(otherwise, err);
    };

    try {
      if (signal.aborted) return finish('aborted');
      feedWatchdog();
      let body: AsyncIterable<Uint8Array>;
      try {
        body = await this.#client.stream({
          method: 'GET',
          path: this.#path,
          query: {
            watch: 1,
            ...(initial ? { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } : {}),
            allowWatchBookmarks: true,
            timeoutSeconds: this.#watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
            resourceVersion: progress.resourceVersion,
            labelSelector: this.#target.labelSelector,
            fieldSelector: this.#target.fieldSelector,
          },
          signal: abort.signal,
          sensitive: this.#target.sensitive === true,
        });
      } catch (err) {
        return failed(err, 'error');
      }
      answered = true;
      feedWatchdog();
      if (initial)
        this.#call(() => {
          this.#handlers.listStarted();
        });
      const splitter = new JsonLineSplitter();
      try {
        for await (const chunk of body) {
          const outcome = this.#onWatchChunk(splitter, chunk, progress);
          if (outcome.stop) return finish(outcome.end, outcome.end === 'gone' ? undefined : outcome.error);
          // After the chunk, which may have held the end bookmark.
          feedWatchdog();
        }
      } catch (err) {
        return failed(err, 'closed');
      }
      const outcome = this.#onWatchLines(splitter.end(), progress);
      if (outcome.stop) return finish(outcome.end, outcome.end === 'gone' ? undefined : outcome.error);
      return finish('timeout');
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', onAbort);
      // Closes the connection when the loop left a stream unread (an ERROR event).
      abort.abort();
    }
  }

  /**
   * Handles the events a chunk completes. Synchronous on purpose: the parsed
   * events live only in this call, never in the suspended watch loop.
   */
  #onWatchChunk(splitter: JsonLineSplitter, chunk: Uint8Array, progress: WatchProgress): EventOutcome {
    let lines: JsonLine[];
    try {
      lines = splitter.push(chunk);
    } catch (err) {
      return { stop: true, end: 'error', error: err };
    } finally {
      if (this.#target.sensitive === true) chunk.fill(0);
    }
    return this.#onWatchLines(lines, progress);
  }

  #onWatchLines(lines: readonly JsonLine[], progress: WatchProgress): EventOutcome {
    for (const line of lines) {
      const outcome = this.#onWatchLine(line, progress);
      if (outcome.stop) return outcome;
    }
    return keepWatching;
  }

  #onWatchLine(line: JsonLine, progress: WatchProgress): EventOutcome {
    if (!line.ok) {
      this.#report(
        new Error(`WATCH ${this.#path}: skipped a line that is not JSON (${line.length} characters)`),
        'watch',
      );
      return keepWatching;
    }
    const event = line.value;
    if (typeof event !== 'object' || event === null) return this.#malformed('an event that is not an object');
    const { type, object } = event as { type?: unknown; object?: unknown };
    if (type === 'ERROR') {
      const error = apiErrorFromStatusObject('WATCH', this.#path, object);
      return { stop: true, end: isGone(error) ? 'gone' : 'error', error };
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK') {
      return this.#malformed(
        `an event of unknown type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`,
      );
    }
    const rv = resourceVersionOf(object);
    if (type === 'BOOKMARK') {
      if (rv === undefined) return this.#malformed('a BOOKMARK without metadata.resourceVersion');
      delivered(progress, rv);
      if (!progress.listed && endsInitialEvents(object)) {
        progress.listed = true;
        this.#call(() => {
          this.#handlers.listFinished();
        });
        this.#markSynced();
      }
      return keepWatching;
    }
    if (!isKubeObject(object)) return this.#malformed(`a ${type} event without metadata.name`);
    if (type === 'DELETED')
      this.#call(() => {
        this.#handlers.remove(object);
      });
    else
      this.#call(() => {
        this.#handlers.upsert(object);
      });
    // An object without a resourceVersion cannot move the resume point; the next one will.
    if (rv !== undefined) delivered(progress, rv);
    return keepWatching;
  }

  #malformed(what: string): EventOutcome {
    this.#report(new Error(`WATCH ${this.#path}: skipped ${what}`), 'watch');
    return keepWatching;
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

function listPageOf(envelope: ListEnvelope, path: string): ListPage {
  const { metadata } = envelope;
  const meta = (
    metadata?.ok === true && typeof metadata.value === 'object' && metadata.value !== null ? metadata.value : {}
  ) as { resourceVersion?: unknown; continue?: unknown };
  if (typeof meta.resourceVersion !== 'string' || meta.resourceVersion === '')
    throw new Error(`LIST ${path}: response has no metadata.resourceVersion`);
  return {
    resourceVersion: meta.resourceVersion,
    continueToken: typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined,
  };
}

function delivered(progress: WatchProgress, resourceVersion: string): void {
  progress.resourceVersion = resourceVersion;
  progress.events++;
}

function endsInitialEvents(bookmark: unknown): boolean {
  const metadata = (bookmark as { metadata?: { annotations?: unknown } }).metadata;
  const annotations = metadata?.annotations;
  return (
    typeof annotations === 'object' &&
    annotations !== null &&
    (annotations as Record<string, unknown>)[INITIAL_EVENTS_END] === 'true'
  );
}

/** 400 or 422 to an initial-events stream: the server rejects sendInitialEvents (kube-apiserver without WatchList, or before it). */
function servesNoStreams(err: unknown): boolean {
  const code = statusCodeOf(err);
  return code === 400 || code === 422;
}

function describeUnserved(err: unknown): string {
  const code = statusCodeOf(err);
  return code === undefined ? 'no end bookmark' : `HTTP ${code}`;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const metadata = (value as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null && typeof (metadata as { name?: unknown }).name === 'string';
}

function resourceVersionOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const metadata = (value as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const rv = (metadata as { resourceVersion?: unknown }).resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
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
