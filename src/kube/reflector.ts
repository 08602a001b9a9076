import type { ApiClient } from './api-client.ts';
import { apiErrorFromStatusObject, isForbidden, isGone, isNotFound } from './api-error.ts';
import { JsonLineSplitter, type JsonLine } from './json-lines.ts';

export type KubeObject = { metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown };

export interface ReflectorTarget {
  /** '/api/v1' or '/apis/apps/v1' etc. */
  readonly apiPrefix: string;
  /** Plural resource: 'configmaps', 'secrets', 'deployments' … */
  readonly resource: string;
  /** Undefined = all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Secret lists/watches: errors must never carry bodies. */
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
   * A list starts: the first one ('initial'), after a 410 from a watch or an
   * expired continue token ('gone'), a retry after a failed list ('error'),
   * another look for a resource that was not served ('absent'), or another
   * try at a list that was refused ('forbidden').
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
  /** A failure the loop recovers from; never carries a response body of a sensitive target. */
  error?(err: unknown, phase: 'list' | 'watch' | 'handler'): void;
}

export interface ReflectorOptions {
  /** Default 500. */
  readonly pageSize?: number;
  /** Default random in [300, 600) per watch, to spread reconnects. */
  readonly watchTimeoutSeconds?: number;
  /** Abort a watch that received no bytes for this long; default 90_000 (bookmarks arrive about once a minute). */
  readonly watchdogMs?: number;
  /** Default 1000; full jitter exponential. */
  readonly minBackoffMs?: number;
  /** Default 30_000. */
  readonly maxBackoffMs?: number;
}

export type RelistReason = 'initial' | 'gone' | 'error' | 'absent' | 'forbidden';

/** Permissions change rarely, and each refused try is a log line; retries are at most this far apart. */
export const FORBIDDEN_MAX_BACKOFF_MS = 300_000;
type Step = { readonly kind: 'list'; readonly reason: RelistReason } | { readonly kind: 'watch'; readonly resourceVersion: string };
type WatchEnd = 'timeout' | 'closed' | 'error' | 'watchdog' | 'gone' | 'aborted';

interface WatchResult {
  readonly end: WatchEnd;
  /** The newest resourceVersion seen: where the next watch resumes. */
  readonly resourceVersion: string;
  /** It delivered events or bookmarks, or ran at least maxBackoffMs: the backoff starts over. */
  readonly healthy: boolean;
  readonly error?: unknown;
}

/** What one watch event asks of the loop. */
type EventOutcome = { readonly stop: false } | { readonly stop: true; readonly end: 'gone' | 'error'; readonly error: unknown };

const keepWatching: EventOutcome = { stop: false };

/**
 * Keeps handlers in step with one resource collection by list-then-watch.
 *
 * 1. LIST is paginated with `limit` and `continue`; items are upserted page by
 *    page, so a huge list is never held whole. If a continue token expires
 *    (410 during pagination) the list restarts from scratch (listStarted
 *    again) after a backoff. A list that fails part-way is never finished: the retry calls
 *    listStarted again. A list refused with 403 goes to observer.forbidden,
 *    not observer.error, and is retried with a longer backoff.
 * 2. Then WATCH from the list's resourceVersion with bookmarks and a
 *    timeoutSeconds. ADDED/MODIFIED → upsert, DELETED → remove, BOOKMARK →
 *    only the resourceVersion is recorded, ERROR with code 410 (or an HTTP 410)
 *    → relist. A watch that ends normally is resumed from the last
 *    resourceVersion without relisting. Other errors back off (full-jitter
 *    exponential, reset after a healthy watch) and watch again from the last
 *    resourceVersion; if that gives 410, relist. A restart after an unhealthy
 *    watch (no events and shorter than maxBackoffMs) also backs off, so a
 *    server that ends watches at once is not hammered.
 * 3. A watchdog aborts a watch that received no bytes for watchdogMs and
 *    resumes it.
 * 4. The stream is split into lines whatever the chunk boundaries. A line that
 *    is not JSON, or an event of the wrong shape, is reported through
 *    observer.error (phase 'watch') and skipped.
 * 5. Aborting run's signal stops everything promptly: the in-flight request is
 *    aborted and timers cleared.
 * 6. Objects passed to handlers are plain parsed JSON. A list item or event
 *    object without a string metadata.name is reported and skipped.
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

  readonly #client: ApiClient;
  readonly #target: ReflectorTarget;
  readonly #handlers: ReflectorHandlers;
  readonly #observer: ReflectorObserver;
  readonly #path: string;
  readonly #pageSize: number;
  readonly #watchTimeoutSeconds: number | undefined;
  readonly #watchdogMs: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;

  constructor(client: ApiClient, target: ReflectorTarget, handlers: ReflectorHandlers, observer: ReflectorObserver = {}, options: ReflectorOptions = {}) {
    this.#client = client;
    this.#target = target;
    this.#handlers = handlers;
    this.#observer = observer;
    const namespace = target.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(target.namespace)}`;
    this.#path = `${target.apiPrefix}${namespace}/${target.resource}`;
    this.#pageSize = options.pageSize ?? 500;
    this.#watchTimeoutSeconds = options.watchTimeoutSeconds;
    this.#watchdogMs = options.watchdogMs ?? 90_000;
    this.#minBackoffMs = options.minBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    let resolveSynced = (): void => undefined;
    this.synced = new Promise((resolve) => { resolveSynced = resolve; });
    this.#resolveSynced = resolveSynced;
  }

  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** Runs until signal aborts; never rejects because of API errors (it retries with backoff); resolves after abort. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('a Reflector runs once');
    this.#started = true;
    let step: Step = { kind: 'list', reason: 'initial' };
    while (!signal.aborted) {
      step = step.kind === 'list' ? await this.#listStep(step.reason, signal) : await this.#watchStep(step.resourceVersion, signal);
    }
  }

  async #listStep(reason: RelistReason, signal: AbortSignal): Promise<Step> {
    this.#call(() => { this.#observer.relisted?.(reason); });
    let listed: { readonly resourceVersion: string } | 'expired';
    try {
      listed = await this.#list(signal);
    } catch (err) {
      if (signal.aborted) return { kind: 'list', reason };
      if (this.#target.absentRetryMs !== undefined && isNotFound(err)) {
        this.#call(() => { this.#handlers.listFinished(); });
        this.#markSynced();
        await sleep(this.#target.absentRetryMs, signal);
        return { kind: 'list', reason: 'absent' };
      }
      if (isForbidden(err)) {
        this.#call(() => { this.#observer.forbidden?.(err); });
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
    this.#call(() => { this.#handlers.listStarted(); });
    let continueToken: string | undefined;
    for (;;) {
      let body: unknown;
      try {
        body = await this.#client.json({
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
      const page = parseListPage(body, this.#path);
      for (const item of page.items) {
        if (isKubeObject(item)) this.#call(() => { this.#handlers.upsert(item); });
        else this.#report(new Error(`LIST ${this.#path}: skipped an item without metadata.name`), 'list');
      }
      if (page.continueToken === undefined) {
        this.#call(() => { this.#handlers.listFinished(); });
        this.#markSynced();
        return { resourceVersion: page.resourceVersion };
      }
      continueToken = page.continueToken;
    }
  }

  #markSynced(): void {
    if (this.#hasSynced) return;
    this.#hasSynced = true;
    this.#resolveSynced();
  }

  async #watchStep(resourceVersion: string, signal: AbortSignal): Promise<Step> {
    const result = await this.#watch(resourceVersion, signal);
    if (result.end === 'aborted') return { kind: 'watch', resourceVersion: result.resourceVersion };
    // The resource stopped being served (its CRD was removed): the list sees it as empty.
    if (this.#target.absentRetryMs !== undefined && isNotFound(result.error)) return { kind: 'list', reason: 'absent' };
    if (result.healthy) this.#attempt = 0;
    if (result.error !== undefined) this.#report(result.error, 'watch');
    if (result.end === 'gone') {
      if (!result.healthy) await this.#backoff(signal);
      return { kind: 'list', reason: 'gone' };
    }
    const end = result.end;
    this.#call(() => { this.#observer.watchRestarted?.(end); });
    if (end === 'error' || !result.healthy) await this.#backoff(signal);
    return { kind: 'watch', resourceVersion: result.resourceVersion };
  }

  async #watch(fromResourceVersion: string, signal: AbortSignal): Promise<WatchResult> {
    const started = performance.now();
    let resourceVersion = fromResourceVersion;
    let events = 0;
    const finish = (end: WatchEnd, error?: unknown): WatchResult => ({
      end,
      resourceVersion,
      healthy: events > 0 || performance.now() - started >= this.#maxBackoffMs,
      ...(error === undefined ? {} : { error }),
    });

    const abort = new AbortController();
    const onAbort = (): void => { abort.abort(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
    let watchdogFired = false;
    let watchdog: NodeJS.Timeout | undefined;
    const feedWatchdog = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        watchdogFired = true;
        abort.abort(new Error(`WATCH ${this.#path}: no bytes for ${this.#watchdogMs} ms`));
      }, this.#watchdogMs);
    };
    // Where the request or a read failed, why decides what comes next.
    const failed = (err: unknown, otherwise: 'closed' | 'error'): WatchResult => {
      if (signal.aborted) return finish('aborted');
      if (watchdogFired) return finish('watchdog');
      if (isGone(err)) return finish('gone');
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
            allowWatchBookmarks: true,
            timeoutSeconds: this.#watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
            resourceVersion,
            labelSelector: this.#target.labelSelector,
            fieldSelector: this.#target.fieldSelector,
          },
          signal: abort.signal,
          sensitive: this.#target.sensitive === true,
        });
      } catch (err) {
        return failed(err, 'error');
      }
      const splitter = new JsonLineSplitter();
      const onLine = (line: JsonLine): EventOutcome => this.#onWatchLine(line, (rv) => { resourceVersion = rv; events++; });
      try {
        for await (const chunk of body) {
          feedWatchdog();
          let lines: JsonLine[];
          try {
            lines = splitter.push(chunk);
          } catch (err) {
            return finish('error', err);
          }
          for (const line of lines) {
            const outcome = onLine(line);
            if (outcome.stop) return finish(outcome.end, outcome.end === 'gone' ? undefined : outcome.error);
          }
        }
      } catch (err) {
        return failed(err, 'closed');
      }
      for (const line of splitter.end()) {
        const outcome = onLine(line);
        if (outcome.stop) return finish(outcome.end, outcome.end === 'gone' ? undefined : outcome.error);
      }
      return finish('timeout');
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', onAbort);
      // Closes the connection when the loop left a stream unread (an ERROR event).
      abort.abort();
    }
  }

  #onWatchLine(line: JsonLine, delivered: (resourceVersion: string) => void): EventOutcome {
    if (!line.ok) {
      this.#report(new Error(`WATCH ${this.#path}: skipped a line that is not JSON (${line.length} characters)`), 'watch');
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
      return this.#malformed(`an event of unknown type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`);
    }
    const rv = resourceVersionOf(object);
    if (type === 'BOOKMARK') {
      if (rv === undefined) return this.#malformed('a BOOKMARK without metadata.resourceVersion');
      delivered(rv);
      return keepWatching;
    }
    if (!isKubeObject(object)) return this.#malformed(`a ${type} event without metadata.name`);
    if (type === 'DELETED') this.#call(() => { this.#handlers.remove(object); });
    else this.#call(() => { this.#handlers.upsert(object); });
    // An object without a resourceVersion cannot move the resume point; the next one will.
    if (rv !== undefined) delivered(rv);
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

interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continueToken: string | undefined;
}

function parseListPage(body: unknown, path: string): ListPage {
  if (typeof body !== 'object' || body === null) throw new Error(`LIST ${path}: response is not an object`);
  const { items, metadata } = body as { items?: unknown; metadata?: unknown };
  // Go encodes an empty slice as null for some APIs.
  if (items !== null && !Array.isArray(items)) throw new Error(`LIST ${path}: response has no items array`);
  const meta = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as { resourceVersion?: unknown; continue?: unknown };
  if (typeof meta.resourceVersion !== 'string' || meta.resourceVersion === '') throw new Error(`LIST ${path}: response has no metadata.resourceVersion`);
  return {
    items: items ?? [],
    resourceVersion: meta.resourceVersion,
    continueToken: typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined,
  };
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
