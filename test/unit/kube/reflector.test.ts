import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ApiClient } from '../../../src/kube/api-client.ts';
import { ApiError } from '../../../src/kube/api-error.ts';
import { Reflector } from '../../../src/kube/reflector.ts';
import type { ReflectorOptions, ReflectorTarget } from '../../../src/kube/reflector-types.ts';
import {
  FakeApiServer,
  Recorder,
  WatchStream,
  initialEventsEnd,
  line,
  obj,
  pause,
  rejectStreamingList,
  sendJson,
  servePages,
  status,
  token,
  type RecordedRequest,
  type Route,
} from './fake-api-server.ts';

/** Tiny backoffs; a watch timeout far beyond any test. */
const quick: ReflectorOptions = { pageSize: 2, watchTimeoutSeconds: 60, minBackoffMs: 1, maxBackoffMs: 4 };
const configMaps: ReflectorTarget = { apiPrefix: '/api/v1', resource: 'configmaps', namespace: 'ns' };
const safety = { timeout: 15_000 };

type ListScript = (req: RecordedRequest, res: ServerResponse, index: number) => void;
type WatchScript = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * Routes lists to `list` and the n-th watch to `watches[n]`; watches beyond
 * the script stay open and silent. Initial-events streams are rejected as by
 * a server without WatchList, so these tests run on paginated lists.
 */
function api(list: ListScript, watches: readonly WatchScript[]): Route {
  let lists = 0;
  let watchCount = 0;
  return async (req, res) => {
    if (req.query.get('sendInitialEvents') !== null) {
      rejectStreamingList(res);
      return;
    }
    if (req.query.get('watch') === null) {
      list(req, res, lists++);
      return;
    }
    const script = watches[watchCount++];
    if (script === undefined) new WatchStream(res);
    else await script(req, res);
  };
}

function bookmark(resourceVersion: string): unknown {
  return { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion } };
}

/**
 * Routes the n-th initial-events stream to `streams[n]`, the n-th plain watch
 * to `watches[n]` (beyond the scripts: open and silent), and lists to `list`
 * (none by default: a list is answered 500, which the tests see as an error).
 */
function streamingApi(streams: readonly WatchScript[], watches: readonly WatchScript[] = [], list?: ListScript): Route {
  let streamCount = 0;
  let watchCount = 0;
  let lists = 0;
  return async (req, res) => {
    if (req.query.get('watch') === null) {
      if (list === undefined) sendJson(res, 500, status(500, 'InternalError', 'this test expects no LIST'));
      else list(req, res, lists++);
      return;
    }
    const script = req.query.get('sendInitialEvents') === null ? watches[watchCount++] : streams[streamCount++];
    if (script === undefined) new WatchStream(res);
    else await script(req, res);
  };
}

describe('Reflector', () => {
  let server: FakeApiServer;
  let recorder: Recorder;
  let stop: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    server = await FakeApiServer.start();
    recorder = new Recorder();
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    await server.close();
  });

  function start(
    target: ReflectorTarget = configMaps,
    options: ReflectorOptions = {},
    client: ApiClient = server.client(),
  ): Reflector {
    const reflector = new Reflector(client, target, recorder, recorder, { ...quick, ...options });
    const controller = new AbortController();
    const running = reflector.run(controller.signal);
    stop = async () => {
      controller.abort();
      await running;
    };
    return reflector;
  }

  test(
    'lists page by page, watches from the list, and resumes a finished watch without relisting',
    safety,
    async () => {
      const pages = [[obj('a', '1'), obj('b', '2')], [obj('c', '3'), obj('d', '4')], [obj('e', '5')]];
      server.route = api(
        (req, res) => {
          servePages(res, req, pages, '100');
        },
        [
          (_req, res) => {
            const w = new WatchStream(res);
            w.event('ADDED', obj('f', '101'));
            w.event('MODIFIED', obj('a', '102'));
            w.event('DELETED', obj('b', '103'));
            w.event('BOOKMARK', bookmark('110'));
            w.end();
          },
        ],
      );
      const target = { ...configMaps, labelSelector: 'app in (web)', fieldSelector: 'metadata.name!=skip' };
      const reflector = start(target);
      assert.equal(reflector.hasSynced(), false);
      await reflector.synced;
      assert.equal(reflector.hasSynced(), true);
      await server.untilRequests(() => server.watches().length === 2);
      await stop?.();

      assert.deepEqual(recorder.calls, [
        'listStarted',
        'upsert a',
        'upsert b',
        'upsert c',
        'upsert d',
        'upsert e',
        'listFinished',
        'upsert f',
        'upsert a',
        'remove b',
      ]);
      assert.deepEqual(recorder.relists, ['initial']);
      assert.deepEqual(recorder.restarts, ['timeout']);
      assert.deepEqual(recorder.errors, []);

      const lists = server.lists();
      assert.deepEqual(
        lists.map((r) => r.query.get('continue')),
        [null, 'page-1', 'page-2'],
      );
      const watches = server.watches();
      assert.deepEqual(
        watches.map((r) => r.query.get('resourceVersion')),
        ['100', '110'],
      );
      for (const r of server.requests) {
        assert.equal(r.method, 'GET');
        assert.equal(r.path, '/api/v1/namespaces/ns/configmaps');
        assert.equal(r.headers.authorization, `Bearer ${token}`);
        assert.equal(r.query.get('labelSelector'), 'app in (web)');
        assert.equal(r.query.get('fieldSelector'), 'metadata.name!=skip');
      }
      for (const r of lists) assert.equal(r.query.get('limit'), '2');
      for (const r of watches) {
        assert.equal(r.query.get('watch'), '1');
        assert.equal(r.query.get('allowWatchBookmarks'), 'true');
        assert.equal(r.query.get('timeoutSeconds'), '60');
      }
    },
  );

  test('picks a watch timeout per watch when none is configured', safety, async () => {
    server.route = api((req, res) => {
      servePages(res, req, [[]], '100');
    }, []);
    start(configMaps, { watchTimeoutSeconds: undefined });
    await server.untilRequests(() => server.watches().length === 1);
    const seconds = Number(server.watches()[0]?.query.get('timeoutSeconds'));
    assert.ok(Number.isInteger(seconds) && seconds >= 300 && seconds < 600, String(seconds));
  });

  test('a watch ERROR event with code 410 relists', safety, async () => {
    server.route = api(
      (req, res, n) => {
        servePages(res, req, n === 0 ? [[obj('a', '1'), obj('b', '2')]] : [[obj('a', '1')]], n === 0 ? '100' : '200');
      },
      [
        (_req, res) => {
          new WatchStream(res).event('ERROR', status(410, 'Expired', 'too old resource version: 100 (150)'));
        },
      ],
    );
    start({ apiPrefix: '/api/v1', resource: 'configmaps' });
    await server.untilRequests(() => server.watches().length === 2);

    assert.deepEqual(recorder.calls, [
      'listStarted',
      'upsert a',
      'upsert b',
      'listFinished',
      'listStarted',
      'upsert a',
      'listFinished',
    ]);
    assert.deepEqual(recorder.relists, ['initial', 'gone']);
    assert.deepEqual(recorder.restarts, []);
    assert.deepEqual(recorder.errors, []);
    assert.deepEqual(
      server.watches().map((r) => r.query.get('resourceVersion')),
      ['100', '200'],
    );
    assert.ok(server.requests.every((r) => r.path === '/api/v1/configmaps'));
  });

  test('an HTTP 410 on the watch request relists', safety, async () => {
    server.route = api(
      (req, res, n) => {
        servePages(res, req, [[obj(`v${n}`, '1')]], String(100 + n));
      },
      [
        (_req, res) => {
          sendJson(res, 410, status(410, 'Gone', 'too old resource version'));
        },
      ],
    );
    start();
    await server.untilRequests(() => server.watches().length === 2);

    assert.deepEqual(recorder.calls, [
      'listStarted',
      'upsert v0',
      'listFinished',
      'listStarted',
      'upsert v1',
      'listFinished',
    ]);
    assert.deepEqual(recorder.relists, ['initial', 'gone']);
    assert.deepEqual(
      server.watches().map((r) => r.query.get('resourceVersion')),
      ['100', '101'],
    );
  });

  test(
    'the relist after an outage waits only a first backoff: what the outage accrued is dropped once the server answers',
    safety,
    async (t) => {
      // The backoff always draws its ceiling, so the test does not depend on chance.
      t.mock.method(Math, 'random', () => 0.999);
      const outage: WatchScript[] = Array.from({ length: 12 }, () => (_req, res) => {
        res.socket?.destroy();
      });
      let goneAt = 0;
      server.route = api(
        (req, res, n) => {
          servePages(res, req, [[obj(`v${n}`, '1')]], String(100 + n));
        },
        [
          ...outage,
          (_req, res) => {
            goneAt = Date.now();
            sendJson(res, 410, status(410, 'Gone', 'too old resource version'));
          },
        ],
      );
      start(configMaps, { minBackoffMs: 1, maxBackoffMs: 3_600_000 });
      await recorder.until((r) => r.relists.length === 2);
      const wait = Date.now() - goneAt;

      assert.deepEqual(recorder.relists, ['initial', 'gone']);
      assert.equal(server.watches().length, 13);
      // Twelve failed attempts put the ceiling at 4 s; a fresh start is 1 ms.
      assert.ok(wait < 1000, `relisted ${wait} ms after the 410`);
    },
  );

  test('an expired continue token restarts the list from scratch', safety, async () => {
    const pages = [[obj('a', '1'), obj('b', '2')], [obj('c', '3')]];
    let expired = false;
    server.route = api((req, res) => {
      if (req.query.get('continue') === 'page-1' && !expired) {
        expired = true;
        sendJson(res, 410, status(410, 'Expired', 'The provided continue parameter is too old'));
      } else {
        servePages(res, req, pages, '100');
      }
    }, []);
    const reflector = start();
    await reflector.synced;

    assert.deepEqual(recorder.calls, [
      'listStarted',
      'upsert a',
      'upsert b',
      'listStarted',
      'upsert a',
      'upsert b',
      'upsert c',
      'listFinished',
    ]);
    assert.deepEqual(recorder.relists, ['initial', 'gone']);
    assert.deepEqual(
      server.lists().map((r) => r.query.get('continue')),
      [null, 'page-1', null, 'page-1'],
    );
  });

  test('a failed list is reported and retried, and a sensitive error carries no body', safety, async () => {
    server.route = api((req, res, n) => {
      if (n === 0) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('proxy error near data hunter2');
      else servePages(res, req, [[obj('s', '1')]], '100');
    }, []);
    const reflector = start({ apiPrefix: '/api/v1', resource: 'secrets', namespace: 'ns', sensitive: true });
    await reflector.synced;

    assert.deepEqual(recorder.calls, ['listStarted', 'listStarted', 'upsert s', 'listFinished']);
    assert.deepEqual(recorder.relists, ['initial', 'error']);
    assert.equal(recorder.errors.length, 1);
    const { err, phase } = recorder.errors[0] ?? {};
    assert.equal(phase, 'list');
    assert.ok(err instanceof ApiError);
    assert.equal(err.statusCode, 500);
    assert.equal(err.path, '/api/v1/namespaces/ns/secrets');
    assert.ok(!err.message.includes('hunter2'), err.message);
  });

  test(
    'a refused list (403) is told to forbidden, delivers nothing, and is retried until permitted',
    safety,
    async () => {
      const message =
        'configmaps is forbidden: User "system:serviceaccount:x:y" cannot list resource "configmaps" in API group "" in the namespace "ns"';
      server.route = api((req, res, n) => {
        if (n < 2) sendJson(res, 403, status(403, 'Forbidden', message));
        else servePages(res, req, [[obj('a', '1')]], '100');
      }, []);
      const refusals: unknown[] = [];
      const reflector = new Reflector(
        server.client(),
        configMaps,
        recorder,
        {
          relisted: (reason) => {
            recorder.relisted(reason);
          },
          forbidden: (err) => {
            refusals.push(err);
          },
          error: (err, phase) => {
            recorder.errors.push({ err, phase });
          },
        },
        quick,
      );
      const controller = new AbortController();
      const running = reflector.run(controller.signal);
      stop = async () => {
        controller.abort();
        await running;
      };
      await reflector.synced;

      assert.deepEqual(recorder.relists, ['initial', 'forbidden', 'forbidden']);
      assert.deepEqual(
        recorder.calls,
        ['listStarted', 'listStarted', 'listStarted', 'upsert a', 'listFinished'],
        'a refused list finishes nothing, so the cache keeps what it held',
      );
      assert.equal(refusals.length, 2);
      assert.ok(
        refusals[0] instanceof ApiError &&
          refusals[0].statusCode === 403 &&
          refusals[0].message.includes('User "system:serviceaccount:x:y"'),
      );
      assert.deepEqual(recorder.errors, [], 'a refusal is not reported as a list error');
    },
  );

  test('a failed watch request backs off and watches again from the same resourceVersion', safety, async () => {
    server.route = api(
      (req, res) => {
        servePages(res, req, [[obj('a', '1')]], '100');
      },
      [
        (_req, res) => {
          sendJson(res, 500, status(500, 'InternalError', 'etcdserver: leader changed'));
        },
        (_req, res) => {
          new WatchStream(res).event('ADDED', obj('b', '101'));
        },
      ],
    );
    start();
    await recorder.until((r) => r.calls.includes('upsert b'));

    assert.deepEqual(recorder.calls, ['listStarted', 'upsert a', 'listFinished', 'upsert b']);
    assert.deepEqual(recorder.relists, ['initial']);
    assert.deepEqual(recorder.restarts, ['error']);
    assert.deepEqual(
      server.watches().map((r) => r.query.get('resourceVersion')),
      ['100', '100'],
    );
    const { err, phase } = recorder.errors[0] ?? {};
    assert.equal(phase, 'watch');
    assert.ok(err instanceof ApiError);
    assert.equal(err.statusCode, 500);
    assert.ok(err.message.includes('etcdserver: leader changed'), err.message);
  });

  test('a watch ERROR event other than 410 resumes from the last resourceVersion', safety, async () => {
    server.route = api(
      (req, res) => {
        servePages(res, req, [[]], '100');
      },
      [
        (_req, res) => {
          const w = new WatchStream(res);
          w.event('ADDED', obj('a', '101'));
          w.event('ERROR', status(500, 'InternalError', 'something broke'));
        },
      ],
    );
    start();
    await server.untilRequests(() => server.watches().length === 2);

    assert.deepEqual(recorder.calls, ['listStarted', 'listFinished', 'upsert a']);
    assert.deepEqual(recorder.restarts, ['error']);
    assert.deepEqual(
      server.watches().map((r) => r.query.get('resourceVersion')),
      ['100', '101'],
    );
    const { err } = recorder.errors[0] ?? {};
    assert.ok(err instanceof ApiError && err.statusCode === 500 && err.reason === 'InternalError');
  });

  test('a watch that goes silent is aborted by the watchdog and resumed', safety, async () => {
    let first: WatchStream | undefined;
    server.route = api(
      (req, res) => {
        servePages(res, req, [[]], '100');
      },
      [
        (_req, res) => {
          first = new WatchStream(res);
          first.event('ADDED', obj('a', '101'));
        },
      ],
    );
    start(configMaps, { watchdogMs: 100 });
    await recorder.until((r) => r.restarts.includes('watchdog'));
    await server.untilRequests(() => server.watches().length >= 2);
    assert.ok(first);
    await first.closed;

    assert.deepEqual(recorder.relists, ['initial']);
    assert.equal(server.lists().length, 1);
    assert.deepEqual(
      server
        .watches()
        .slice(0, 2)
        .map((r) => r.query.get('resourceVersion')),
      ['100', '101'],
    );
    assert.deepEqual(recorder.calls, ['listStarted', 'listFinished', 'upsert a']);
  });

  test('events split across chunks, or sharing one, are delivered whole and in order', safety, async () => {
    const bytes = Buffer.from(
      line('ADDED', obj('ä-one', '101')) +
        line('ADDED', obj('ö-two', '102')) +
        line('MODIFIED', obj('😀-three', '103')) +
        line('DELETED', obj('ä-one', '104')),
      'utf8',
    );
    const emoji = bytes.indexOf(Buffer.from('😀', 'utf8'));
    const cuts = [5, 40, emoji + 2, bytes.length - 3];
    server.route = api(
      (req, res) => {
        servePages(res, req, [[]], '100');
      },
      [
        async (_req, res) => {
          const w = new WatchStream(res);
          let from = 0;
          for (const cut of [...cuts, bytes.length]) {
            w.raw(bytes.subarray(from, cut));
            from = cut;
            // Gives each piece its own network read.
            await pause(15);
          }
          w.end();
        },
      ],
    );
    start();
    await server.untilRequests(() => server.watches().length === 2);

    assert.deepEqual(recorder.calls, [
      'listStarted',
      'listFinished',
      'upsert ä-one',
      'upsert ö-two',
      'upsert 😀-three',
      'remove ä-one',
    ]);
    assert.deepEqual(recorder.errors, []);
    assert.equal(server.watches()[1]?.query.get('resourceVersion'), '104');
  });

  test('a line that is not JSON, or a malformed event, is reported and skipped', safety, async () => {
    server.route = api(
      (req, res) => {
        servePages(res, req, [[]], '100');
      },
      [
        (_req, res) => {
          const w = new WatchStream(res);
          w.raw('{"type":"ADDED","object":{"data":{"password":"hunter2"\n');
          w.raw(line('ADDED', { data: { password: 'hunter2' }, metadata: {} }));
          w.raw(line('SURPRISE', obj('x', '1')));
          w.event('ADDED', { kind: 'Secret', metadata: { name: 'good', namespace: 'ns', resourceVersion: '101' } });
        },
      ],
    );
    start({ apiPrefix: '/api/v1', resource: 'secrets', sensitive: true });
    await recorder.until((r) => r.calls.includes('upsert good'));

    assert.deepEqual(recorder.calls, ['listStarted', 'listFinished', 'upsert good']);
    assert.equal(recorder.errors.length, 3);
    assert.ok(recorder.errors.every((e) => e.phase === 'watch'));
    const messages = recorder.errors.map((e) => (e.err instanceof Error ? e.err.message : String(e.err)));
    assert.match(messages[0] ?? '', /not JSON/);
    assert.ok(
      messages.every((m) => !m.includes('hunter2')),
      messages.join('\n'),
    );
  });

  test('a handler exception is reported and does not stop the loop', safety, async () => {
    server.route = api(
      (req, res) => {
        servePages(res, req, [[obj('a', '1'), obj('b', '2')], [obj('c', '3')]], '100');
      },
      [
        (_req, res) => {
          const w = new WatchStream(res);
          w.event('MODIFIED', obj('b', '101'));
          w.event('ADDED', obj('d', '102'));
        },
      ],
    );
    recorder.throwOn = 'b';
    const reflector = start();
    await reflector.synced;
    await recorder.until((r) => r.calls.includes('upsert d'));

    assert.deepEqual(recorder.calls, [
      'listStarted',
      'upsert a',
      'upsert b',
      'upsert c',
      'listFinished',
      'upsert b',
      'upsert d',
    ]);
    assert.deepEqual(
      recorder.errors.map((e) => e.phase),
      ['handler', 'handler'],
    );
  });

  test('aborting stops an open watch and closes its connection', safety, async () => {
    let open: WatchStream | undefined;
    server.route = api(
      (req, res) => {
        servePages(res, req, [[]], '100');
      },
      [
        (_req, res) => {
          open = new WatchStream(res);
        },
      ],
    );
    start();
    await server.untilRequests(() => server.watches().length === 1);
    await stop?.();
    stop = undefined;
    assert.ok(open);
    await open.closed;
    assert.equal(server.watches().length, 1);
  });

  test('aborting ends a backoff at once', safety, async () => {
    server.route = api((_req, res) => {
      sendJson(res, 503, status(503, 'ServiceUnavailable', 'starting'));
    }, []);
    const reflector = start(configMaps, { minBackoffMs: 3_600_000, maxBackoffMs: 3_600_000 });
    await recorder.until((r) => r.errors.length === 1);
    await stop?.();
    stop = undefined;
    assert.equal(reflector.hasSynced(), false);
    assert.equal(server.lists().length, 1);
  });

  test('runs only once', safety, async () => {
    server.route = api((req, res) => {
      servePages(res, req, [[]], '100');
    }, []);
    const reflector = start();
    await reflector.synced;
    await assert.rejects(reflector.run(new AbortController().signal), /runs once/);
  });

  test(
    'streams the initial state with no LIST, finishes it at the end bookmark, and goes on watching on the same stream',
    safety,
    async () => {
      server.route = streamingApi([
        (_req, res) => {
          const w = new WatchStream(res);
          w.event('ADDED', obj('a', '1'));
          w.event('ADDED', obj('b', '2'));
          w.event('BOOKMARK', initialEventsEnd('50'));
          w.event('MODIFIED', obj('a', '51'));
          w.event('BOOKMARK', bookmark('60'));
          w.end();
        },
      ]);
      const target = { ...configMaps, labelSelector: 'app=web', fieldSelector: 'metadata.name!=skip' };
      const reflector = start(target);
      await reflector.synced;
      assert.equal(recorder.opened, 0, 'the stream that lists is current at its end bookmark, not when answered');
      // The plain watch that resumes it tells when it is answered: what changed since its resourceVersion follows.
      await recorder.until((r) => r.opened === 1);

      assert.deepEqual(recorder.calls, ['listStarted', 'upsert a', 'upsert b', 'listFinished', 'upsert a']);
      assert.deepEqual(recorder.relists, ['initial']);
      assert.deepEqual(recorder.restarts, ['timeout']);
      assert.deepEqual(recorder.errors, []);
      assert.deepEqual(recorder.unserved, []);
      assert.equal(server.lists().length, 0);
      const [stream] = server.streams();
      assert.ok(stream);
      assert.equal(stream.query.get('watch'), '1');
      assert.equal(stream.query.get('sendInitialEvents'), 'true');
      assert.equal(stream.query.get('resourceVersionMatch'), 'NotOlderThan');
      assert.equal(stream.query.get('allowWatchBookmarks'), 'true');
      assert.equal(stream.query.get('resourceVersion'), '');
      assert.equal(stream.query.get('labelSelector'), 'app=web');
      assert.equal(stream.query.get('fieldSelector'), 'metadata.name!=skip');
      const [watch] = server.watches();
      assert.equal(watch?.query.get('resourceVersion'), '60');
      assert.equal(watch.query.get('resourceVersionMatch'), null);
    },
  );

  test('an empty collection is synced by the end bookmark alone', safety, async () => {
    server.route = streamingApi([
      (_req, res) => {
        new WatchStream(res).event('BOOKMARK', initialEventsEnd('7'));
      },
    ]);
    const reflector = start();
    await reflector.synced;
    assert.deepEqual(recorder.calls, ['listStarted', 'listFinished']);
  });

  test('a stream cut before the end bookmark finishes nothing and streams again from scratch', safety, async () => {
    server.route = streamingApi([
      (_req, res) => {
        const w = new WatchStream(res);
        w.event('ADDED', obj('a', '1'));
        w.raw('{"type":"ADDED","object":{"metadata":{"na');
        w.end();
      },
      (_req, res) => {
        const w = new WatchStream(res);
        w.event('ADDED', obj('b', '2'));
        w.event('BOOKMARK', initialEventsEnd('9'));
      },
    ]);
    const reflector = start();
    await reflector.synced;

    assert.deepEqual(recorder.calls, ['listStarted', 'upsert a', 'listStarted', 'upsert b', 'listFinished']);
    assert.deepEqual(recorder.relists, ['initial', 'error']);
    assert.deepEqual(
      server.streams().map((r) => r.query.get('resourceVersion')),
      ['', ''],
    );
    assert.equal(server.lists().length, 0);
    assert.equal(recorder.errors.length, 2, 'the unfinished last line, and the early end');
    assert.ok(recorder.errors.every((e) => e.phase === 'list' || e.phase === 'watch'));
  });

  test(
    'a 410 before the end bookmark streams again; a 410 after it streams again too, never a LIST',
    safety,
    async () => {
      server.route = streamingApi([
        (_req, res) => {
          const w = new WatchStream(res);
          w.event('ADDED', obj('a', '1'));
          w.event('ERROR', status(410, 'Expired', 'too old resource version'));
        },
        (_req, res) => {
          const w = new WatchStream(res);
          w.event('ADDED', obj('a', '3'));
          w.event('BOOKMARK', initialEventsEnd('10'));
          w.event('ERROR', status(410, 'Expired', 'too old resource version'));
        },
        (_req, res) => {
          new WatchStream(res).event('BOOKMARK', initialEventsEnd('20'));
        },
      ]);
      start();
      await server.untilRequests(() => server.streams().length === 3);
      await recorder.until((r) => r.calls.filter((c) => c === 'listFinished').length === 2);

      assert.deepEqual(recorder.calls, [
        'listStarted',
        'upsert a',
        'listStarted',
        'upsert a',
        'listFinished',
        'listStarted',
        'listFinished',
      ]);
      assert.deepEqual(recorder.relists, ['initial', 'gone', 'gone']);
      assert.equal(server.lists().length, 0);
      assert.equal(server.watches().length, 0);
    },
  );

  test(
    'a server that rejects sendInitialEvents (422) is listed page by page, and stays so for this reflector',
    safety,
    async () => {
      const pages = [[obj('a', '1'), obj('b', '2')], [obj('c', '3')]];
      server.route = streamingApi(
        [
          (_req, res) => {
            rejectStreamingList(res);
          },
        ],
        [
          (_req, res) => {
            sendJson(res, 410, status(410, 'Gone', 'too old resource version'));
          },
        ],
        (req, res) => {
          servePages(res, req, pages, '100');
        },
      );
      start();
      await server.untilRequests(() => server.lists().length === 4);
      await recorder.until((r) => r.calls.filter((c) => c === 'listFinished').length === 2);

      assert.deepEqual(recorder.unserved, ['HTTP 422']);
      assert.deepEqual(recorder.relists, ['initial', 'gone']);
      assert.equal(server.streams().length, 1);
      assert.deepEqual(recorder.calls, [
        'listStarted',
        'upsert a',
        'upsert b',
        'upsert c',
        'listFinished',
        'listStarted',
        'upsert a',
        'upsert b',
        'upsert c',
        'listFinished',
      ]);
      assert.deepEqual(recorder.errors, []);
    },
  );

  test(
    'a reflector told that the server does not stream lists lists page by page from the start, without asking for a stream',
    safety,
    async () => {
      server.route = streamingApi([], [], (req, res) => {
        servePages(res, req, [[obj('a', '1')]], '100');
      });
      const reflector = start(configMaps, { streams: false });
      await reflector.synced;

      assert.equal(reflector.streams, false);
      assert.equal(server.streams().length, 0);
      assert.deepEqual(recorder.unserved, []);
      assert.deepEqual(recorder.relists, ['initial']);
      assert.deepEqual(recorder.calls, ['listStarted', 'upsert a', 'listFinished']);
    },
  );

  test(
    'a server that ignores sendInitialEvents (events, but no end bookmark) is listed page by page after a quiet spell',
    safety,
    async () => {
      server.route = streamingApi(
        [
          (_req, res) => {
            const w = new WatchStream(res);
            w.event('ADDED', obj('a', '1'));
            w.event('ADDED', obj('gone-since', '2'));
          },
        ],
        [],
        (req, res) => {
          servePages(res, req, [[obj('a', '1')]], '100');
        },
      );
      const reflector = start(configMaps, { initialEventsTimeoutMs: 100 });
      await reflector.synced;

      assert.deepEqual(recorder.unserved, ['no end bookmark']);
      assert.deepEqual(recorder.calls, [
        'listStarted',
        'upsert a',
        'upsert gone-since',
        'listStarted',
        'upsert a',
        'listFinished',
      ]);
      assert.deepEqual(recorder.relists, ['initial']);
      await server.untilRequests(() => server.watches().length === 1);
      assert.equal(server.watches()[0]?.query.get('resourceVersion'), '100');
    },
  );

  test('a quiet watch after the end bookmark is not taken for a server that does not stream', safety, async () => {
    server.route = streamingApi([
      (_req, res) => {
        new WatchStream(res).event('BOOKMARK', initialEventsEnd('5'));
      },
    ]);
    const reflector = start(configMaps, { initialEventsTimeoutMs: 20 });
    await reflector.synced;
    await pause(200);
    assert.deepEqual(recorder.unserved, []);
    assert.deepEqual(recorder.restarts, []);
    assert.equal(server.streams().length, 1);
  });

  test('a resource that is not served (404) counts as an empty list and is streamed again later', safety, async () => {
    server.route = streamingApi([
      (_req, res) => {
        sendJson(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      },
    ]);
    const reflector = start({ ...configMaps, absentRetryMs: 5 });
    await reflector.synced;
    await server.untilRequests(() => server.streams().length >= 2);
    assert.deepEqual(recorder.calls.slice(0, 2), ['listStarted', 'listFinished']);
    assert.deepEqual(recorder.relists.slice(0, 2), ['initial', 'absent']);
  });

  test('a sensitive target zeroes every response chunk once parsed, on any async iterable body', safety, async () => {
    const received: Uint8Array[] = [];
    const encoder = new TextEncoder();
    const body = [
      line('ADDED', {
        kind: 'Secret',
        metadata: { name: 's', namespace: 'ns', resourceVersion: '1' },
        data: { password: 'aHVudGVyMg==' },
      }).slice(0, 30),
      line('ADDED', {
        kind: 'Secret',
        metadata: { name: 's', namespace: 'ns', resourceVersion: '1' },
        data: { password: 'aHVudGVyMg==' },
      }).slice(30),
      line('BOOKMARK', initialEventsEnd('5')),
    ];
    const client = {
      server: 'https://unused',
      stream: async (req: { readonly signal?: AbortSignal; readonly query?: Readonly<Record<string, unknown>> }) => {
        await Promise.resolve();
        return (async function* chunks() {
          if (req.query?.sendInitialEvents === undefined) {
            await new Promise((resolve) => {
              req.signal?.addEventListener('abort', resolve);
            });
            return;
          }
          for (const text of body) {
            const chunk = encoder.encode(text);
            received.push(chunk);
            yield chunk;
          }
          await new Promise((resolve) => {
            req.signal?.addEventListener('abort', resolve);
          });
        })();
      },
    } as unknown as ApiClient;
    const reflector = start(
      { apiPrefix: '/api/v1', resource: 'secrets', namespace: 'ns', sensitive: true },
      {},
      client,
    );
    await reflector.synced;

    assert.deepEqual(recorder.calls, ['listStarted', 'upsert s', 'listFinished']);
    assert.equal(received.length, 3);
    for (const chunk of received)
      assert.ok(
        chunk.every((b) => b === 0),
        'a chunk still holds response bytes',
      );
  });
});
