import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { ReflectorSet } from '../../../src/controller/reflector-set.ts';
import type { ReflectorHandlers } from '../../../src/kube/reflector-types.ts';
import {
  FakeApiServer,
  WatchStream,
  obj,
  rejectStreamingList,
  sendJson,
  servePages,
  status,
  type Route,
} from '../kube/fake-api-server.ts';

let server: FakeApiServer;
beforeEach(async () => {
  server = await FakeApiServer.start();
});
afterEach(async () => {
  await server.close();
});

const noop: ReflectorHandlers = {
  listStarted: () => undefined,
  upsert: () => undefined,
  remove: () => undefined,
  listFinished: () => undefined,
};

/** A server that does not stream lists: it lists ConfigMap a page by page, and then watches. */
const listsPageByPage: Route = (req, res) => {
  if (req.query.get('sendInitialEvents') !== null) rejectStreamingList(res);
  else if (req.query.get('watch') === null) servePages(res, req, [[obj('a', '1')]], '100');
  else new WatchStream(res);
};

test(
  'a member refused its list (403) does not hold up the set; the permitted one syncs and serves',
  { timeout: 15_000 },
  async () => {
    server.route = (req, res) => {
      if (req.path.includes('/namespaces/denied/'))
        sendJson(
          res,
          403,
          status(
            403,
            'Forbidden',
            'configmaps is forbidden: User "u" cannot list resource "configmaps" in the namespace "denied"',
          ),
        );
      else if (req.query.get('sendInitialEvents') !== null) rejectStreamingList(res);
      else if (req.query.get('watch') === null) servePages(res, req, [[obj('a', '1')]], '100');
      else new WatchStream(res);
    };
    const set = new ReflectorSet(server.client());
    const upserts: string[] = [];
    const refused: string[] = [];
    for (const namespace of ['ok', 'denied']) {
      set.add(
        { apiPrefix: '/api/v1', resource: 'configmaps', namespace },
        {
          ...noop,
          upsert: (o) => {
            upserts.push(`${namespace}/${o.metadata.name}`);
          },
        },
        {
          forbidden: () => {
            refused.push(namespace);
          },
        },
      );
    }
    const controller = new AbortController();
    const running = set.run(controller.signal);
    await set.synced();
    assert.deepEqual(upserts, ['ok/a']);
    assert.deepEqual(refused, ['denied']);
    controller.abort();
    await running;
  },
);

test(
  'a relist keeps listing page by page where the server showed it does not stream lists',
  { timeout: 15_000 },
  async () => {
    server.route = listsPageByPage;
    const set = new ReflectorSet(server.client());
    const unserved: string[] = [];
    const relisted: string[] = [];
    set.add({ apiPrefix: '/api/v1', resource: 'configmaps', namespace: 'ns' }, noop, {
      streamsUnserved: (why) => {
        unserved.push(why);
      },
      relisted: (reason) => {
        relisted.push(reason);
      },
    });
    const controller = new AbortController();
    const running = set.run(controller.signal);
    try {
      await set.synced();
      await set.relist();
      await set.synced();
      assert.equal(server.streams().length, 1);
      assert.equal(server.lists().length, 2);
      assert.deepEqual(unserved, ['HTTP 422']);
      assert.deepEqual(relisted, ['initial', 'initial']);
    } finally {
      controller.abort();
      await running;
    }
  },
);

test(
  'two relists that overlap leave one loop per member: the handlers get one new list, and no earlier loop runs on',
  { timeout: 15_000 },
  async () => {
    server.route = listsPageByPage;
    const set = new ReflectorSet(server.client());
    let lists = 0;
    set.add(
      { apiPrefix: '/api/v1', resource: 'configmaps', namespace: 'ns' },
      {
        ...noop,
        listFinished: () => {
          lists++;
        },
      },
      {},
    );
    const controller = new AbortController();
    const running = set.run(controller.signal);
    try {
      await set.synced();
      await Promise.all([set.relist(), set.relist()]);
      await set.synced();
      // The loop that replaced the first one watches once it has listed; a second loop, started with it, would have listed by then too.
      await server.untilRequests(() => server.watches().length >= 1);
      assert.equal(lists, 2, 'the first list, then one for both relists');
    } finally {
      controller.abort();
      await running;
    }
  },
);
