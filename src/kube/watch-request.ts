import { apiErrorFromStatusObject, isGone, statusCodeOf } from './api-error.ts';
import { JsonLineSplitter, type JsonLine } from './json-lines.ts';
import { isKubeObject, resourceVersionOf } from './kube-object.ts';
import type { ReflectorContext } from './reflector-context.ts';

/** 'unserved': an initial-events stream the server does not serve. */
export type WatchEnd = 'timeout' | 'closed' | 'error' | 'watchdog' | 'gone' | 'aborted' | 'unserved';

/** What a watch has done so far; its event handling moves it on. */
interface WatchProgress {
  /** The newest resourceVersion seen: where the next watch resumes. */
  resourceVersion: string;
  /** Events and bookmarks delivered. */
  events: number;
  /** The watch's list is complete: a plain watch, or an initial-events stream past its end bookmark. */
  listed: boolean;
}

/** How one watch request ended, and what it got to. */
export interface WatchResult {
  readonly end: WatchEnd;
  /** The newest resourceVersion seen: where the next watch resumes. */
  readonly resourceVersion: string;
  /** Whether the list was complete when it ended (see WatchProgress). */
  readonly listed: boolean;
  /** It delivered events or bookmarks, or ran at least maxBackoffMs: the backoff starts over. */
  readonly healthy: boolean;
  readonly error?: unknown;
}

/** The annotation on the BOOKMARK that ends an initial-events stream. */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** How long a watch may run and stay silent. */
export interface WatchTimings {
  /** Undefined: random in [300, 600) per watch, to spread reconnects. */
  readonly watchTimeoutSeconds: number | undefined;
  /** Abort a watch that received no bytes for this long. */
  readonly watchdogMs: number;
  /** An answered initial-events stream silent this long before its end bookmark is taken for one the server does not serve. */
  readonly initialEventsTimeoutMs: number;
  /** A watch that ran this long is healthy even without events. */
  readonly maxBackoffMs: number;
}

/** What one watch event asks of the loop. */
type EventOutcome =
  { readonly stop: false } | { readonly stop: true; readonly end: 'gone' | 'error'; readonly error: unknown };

const keepWatching: EventOutcome = { stop: false };

/**
 * One watch request, from `fromResourceVersion`, or an initial-events
 * stream when `initial` (which calls listStarted once answered, and
 * listFinished at its end bookmark).
 */
export async function watch(
  ctx: ReflectorContext,
  timings: WatchTimings,
  fromResourceVersion: string,
  initial: boolean,
  signal: AbortSignal,
): Promise<WatchResult> {
  const started = performance.now();
  const progress: WatchProgress = { resourceVersion: fromResourceVersion, events: 0, listed: !initial };
  const finish = (end: WatchEnd, error?: unknown): WatchResult => ({
    end,
    resourceVersion: progress.resourceVersion,
    listed: progress.listed,
    healthy: progress.events > 0 || performance.now() - started >= timings.maxBackoffMs,
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
    const ms = awaitingEnd ? timings.initialEventsTimeoutMs : timings.watchdogMs;
    watchdog = setTimeout(() => {
      timedOut = awaitingEnd ? 'unserved' : 'watchdog';
      abort.abort(new Error(`WATCH ${ctx.path}: no bytes for ${ms} ms`));
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
      body = await ctx.client.stream({
        method: 'GET',
        path: ctx.path,
        query: {
          watch: 1,
          ...(initial ? { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } : {}),
          allowWatchBookmarks: true,
          timeoutSeconds: timings.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
          resourceVersion: progress.resourceVersion,
          labelSelector: ctx.target.labelSelector,
          fieldSelector: ctx.target.fieldSelector,
        },
        signal: abort.signal,
        sensitive: ctx.target.sensitive === true,
      });
    } catch (err) {
      return failed(err, 'error');
    }
    answered = true;
    feedWatchdog();
    if (initial)
      ctx.call(() => {
        ctx.handlers.listStarted();
      });
    else ctx.watchOpened();
    const splitter = new JsonLineSplitter();
    try {
      for await (const chunk of body) {
        const outcome = onWatchChunk(ctx, splitter, chunk, progress);
        if (outcome.stop) return finish(outcome.end, outcome.end === 'gone' ? undefined : outcome.error);
        // After the chunk, which may have held the end bookmark.
        feedWatchdog();
      }
    } catch (err) {
      return failed(err, 'closed');
    }
    const outcome = onWatchLines(ctx, splitter.end(), progress);
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
function onWatchChunk(
  ctx: ReflectorContext,
  splitter: JsonLineSplitter,
  chunk: Uint8Array,
  progress: WatchProgress,
): EventOutcome {
  let lines: JsonLine[];
  try {
    lines = splitter.push(chunk);
  } catch (err) {
    return { stop: true, end: 'error', error: err };
  } finally {
    if (ctx.target.sensitive === true) chunk.fill(0);
  }
  return onWatchLines(ctx, lines, progress);
}

function onWatchLines(ctx: ReflectorContext, lines: readonly JsonLine[], progress: WatchProgress): EventOutcome {
  for (const line of lines) {
    const outcome = onWatchLine(ctx, line, progress);
    if (outcome.stop) return outcome;
  }
  return keepWatching;
}

function onWatchLine(ctx: ReflectorContext, line: JsonLine, progress: WatchProgress): EventOutcome {
  if (!line.ok) {
    ctx.report(new Error(`WATCH ${ctx.path}: skipped a line that is not JSON (${line.length} characters)`), 'watch');
    return keepWatching;
  }
  const event = line.value;
  if (typeof event !== 'object' || event === null) return malformed(ctx, 'an event that is not an object');
  const { type, object } = event as { type?: unknown; object?: unknown };
  if (type === 'ERROR') {
    const error = apiErrorFromStatusObject('WATCH', ctx.path, object);
    return { stop: true, end: isGone(error) ? 'gone' : 'error', error };
  }
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK') {
    return malformed(
      ctx,
      `an event of unknown type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`,
    );
  }
  const rv = resourceVersionOf(object);
  if (type === 'BOOKMARK') {
    if (rv === undefined) return malformed(ctx, 'a BOOKMARK without metadata.resourceVersion');
    delivered(progress, rv);
    if (!progress.listed && endsInitialEvents(object)) {
      progress.listed = true;
      ctx.call(() => {
        ctx.handlers.listFinished();
      });
      ctx.markSynced();
    }
    return keepWatching;
  }
  if (!isKubeObject(object)) return malformed(ctx, `a ${type} event without metadata.name`);
  if (type === 'DELETED')
    ctx.call(() => {
      ctx.handlers.remove(object);
    });
  else
    ctx.call(() => {
      ctx.handlers.upsert(object);
    });
  // An object without a resourceVersion cannot move the resume point; the next one will.
  if (rv !== undefined) delivered(progress, rv);
  return keepWatching;
}

function malformed(ctx: ReflectorContext, what: string): EventOutcome {
  ctx.report(new Error(`WATCH ${ctx.path}: skipped ${what}`), 'watch');
  return keepWatching;
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

export function describeUnserved(err: unknown): string {
  const code = statusCodeOf(err);
  return code === undefined ? 'no end bookmark' : `HTTP ${code}`;
}
