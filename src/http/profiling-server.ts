import type { IncomingMessage, ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSnapshot } from 'node:v8';
import type { Logger } from '../logger.ts';
import { listen, type Listening } from './listen.ts';
import { nodeHttp } from './node-http.ts';

export interface ProfilingServerOptions {
  /** `host:port`; `127.0.0.1:6060` keeps it to `kubectl port-forward`. */
  readonly address: string;
  readonly logger: Logger;
}

/** Bounds of `?seconds=` on /debug/pprof/profile, and its default (Go's pprof default). */
export const PROFILE_SECONDS = { min: 1, max: 300, default: 30 } as const;

const HEAP = '/debug/pprof/heap';
const PROFILE = '/debug/pprof/profile';
const INDEX = '/debug/pprof/';
const TEXT = 'text/plain; charset=utf-8';

/**
 * Serves profiles that Chrome DevTools opens, on a port of its own:
 *
 * - `GET /debug/pprof/heap`: a V8 heap snapshot (`.heapsnapshot`, for the
 *   Memory tab), streamed as V8 serializes it: nothing is written to disk.
 * - `GET /debug/pprof/profile?seconds=N`: a CPU profile of the next N seconds
 *   (`.cpuprofile`, for the Performance tab), N from 1 to 300, default 30.
 * - `GET /debug/pprof/`: this list.
 *
 * One profile at a time: a request while one is being taken gets 409. A
 * client that goes away ends its CPU profile at once. Other methods get 405,
 * other paths 404.
 *
 * A heap snapshot holds whatever is in memory, Secret values in flight
 * included: the address must never be reachable from outside the pod.
 */
export async function startProfilingServer(options: ProfilingServerOptions): Promise<Listening> {
  const { logger } = options;
  let busy = false;
  const server = nodeHttp.createServer((req, res) => {
    const path = pathOf(req);
    if (path !== HEAP && path !== PROFILE && path !== INDEX) {
      send(res, 404, 'not found\n');
      return;
    }
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      send(res, 405, 'method not allowed\n');
      return;
    }
    if (path === INDEX) {
      send(
        res,
        200,
        `${HEAP}\tV8 heap snapshot (.heapsnapshot)\n${PROFILE}?seconds=N\tCPU profile of N seconds (.cpuprofile), ${PROFILE_SECONDS.min} to ${PROFILE_SECONDS.max}, default ${PROFILE_SECONDS.default}\n`,
      );
      return;
    }
    const seconds = path === PROFILE ? profileSeconds(req) : undefined;
    if (seconds === null) {
      send(res, 400, `seconds must be a whole number from ${PROFILE_SECONDS.min} to ${PROFILE_SECONDS.max}\n`);
      return;
    }
    if (busy) {
      send(res, 409, 'a profile is being taken; ask again when it is done\n');
      return;
    }
    busy = true;
    logger.info({ path, ...(seconds === undefined ? {} : { seconds }) }, 'profiling: taking a profile');
    const taking = seconds === undefined ? serveHeapSnapshot(res) : serveCpuProfile(res, seconds);
    taking
      .then(
        (outcome) => {
          logger.info({ path, ...(seconds === undefined ? {} : { seconds }), outcome }, 'profiling: profile taken');
        },
        (err: unknown) => {
          logger.error({ path, err: err instanceof Error ? err.message : String(err) }, 'profiling: profile failed');
          if (!res.headersSent) send(res, 500, 'profile failed\n');
          else res.destroy();
        },
      )
      .finally(() => {
        busy = false;
      });
  });
  server.headersTimeout = 10_000;
  const listening = await listen(server, options.address, 'profiles', (err) => {
    logger.error({ err: err.message }, 'profiling server error');
  });
  logger.warn(
    { address: options.address, port: listening.port },
    `profiling: serving ${HEAP} and ${PROFILE}; a heap snapshot holds Secret values in memory, never expose this port`,
  );
  return listening;
}

/** Undefined: the default; null: not allowed. */
function profileSeconds(req: IncomingMessage): number | null {
  const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('seconds');
  if (raw === null) return PROFILE_SECONDS.default;
  if (!/^[0-9]{1,3}$/.test(raw)) return null;
  const n = Number(raw);
  return n < PROFILE_SECONDS.min || n > PROFILE_SECONDS.max ? null : n;
}

/** Resolves once the snapshot was sent ('sent') or the client went away ('abandoned'). */
async function serveHeapSnapshot(res: ServerResponse): Promise<string> {
  const snapshot = getHeapSnapshot();
  res.writeHead(200, headers('application/json', 'heapsnapshot'));
  try {
    await pipeline(snapshot, res);
  } catch (err) {
    if (res.destroyed && !res.writableFinished) return 'abandoned';
    throw err;
  }
  return 'sent';
}

/** Resolves once the profile was sent ('sent') or the client went away and profiling stopped ('abandoned'). */
async function serveCpuProfile(res: ServerResponse, seconds: number): Promise<string> {
  const gone = new AbortController();
  res.once('close', () => {
    gone.abort();
  });
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const waited = await sleep(seconds * 1000, true, { signal: gone.signal }).catch(() => false);
    const { profile } = await session.post('Profiler.stop');
    if (!waited) return 'abandoned';
    const body = JSON.stringify(profile);
    res.writeHead(200, { ...headers('application/json', 'cpuprofile'), 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return 'sent';
  } finally {
    session.disconnect();
  }
}

function headers(contentType: string, extension: string): Record<string, string> {
  const stamp = new Date().toISOString().replaceAll(':', '-');
  return {
    'content-type': contentType,
    'content-disposition': `attachment; filename="mini-reloader-${stamp}.${extension}"`,
    'cache-control': 'no-store',
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': TEXT,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}
