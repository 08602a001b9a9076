import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../../src/kube/api-client.ts';
import { ApiError, isConflict, isGone, isNotFound } from '../../../src/kube/api-error.ts';
import { TokenFileCredentials } from '../../../src/kube/token-file.ts';
import { FakeApiServer, sendJson, status, token } from './fake-api-server.ts';

describe('ApiClient', () => {
  let server: FakeApiServer;
  before(async () => {
    server = await FakeApiServer.start();
  });
  after(async () => {
    await server.close();
  });

  test('sends the kubeconfig token and the query, and returns parsed JSON', async () => {
    server.route = (_req, res) => {
      sendJson(res, 200, { kind: 'ConfigMapList', items: [] });
    };
    const client = server.client();
    assert.equal(client.server, server.url);
    const got = await client.json({
      method: 'GET',
      path: '/api/v1/namespaces/ns/configmaps',
      query: { limit: 5, labelSelector: 'a=b,c in (d)', watch: false, continue: undefined },
    });
    assert.deepEqual(got, { kind: 'ConfigMapList', items: [] });
    const req = server.requests.at(-1);
    assert.ok(req);
    assert.equal(req.method, 'GET');
    assert.equal(req.path, '/api/v1/namespaces/ns/configmaps');
    assert.equal(req.headers.authorization, `Bearer ${token}`);
    assert.equal(req.headers.accept, 'application/json');
    assert.equal(req.query.get('limit'), '5');
    assert.equal(req.query.get('labelSelector'), 'a=b,c in (d)');
    assert.equal(req.query.get('watch'), 'false');
    assert.equal(req.query.has('continue'), false);
  });

  test('a 401 re-reads a rotated token file and retries once with the new token; an unchanged token gives the 401', async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'api-client-token-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const file = path.join(dir, 'token');
    writeFileSync(file, 'old');
    server.route = (req, res) => {
      if (req.headers.authorization === 'Bearer new') sendJson(res, 200, {});
      else sendJson(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    };
    const client = new ApiClient({ ...server.access(), credentials: new TokenFileCredentials(file) });
    const before = server.requests.length;
    await assert.rejects(
      client.json({ method: 'GET', path: '/api/v1/namespaces' }),
      (err) => err instanceof ApiError && err.statusCode === 401,
    );
    assert.equal(server.requests.length - before, 1, 'the same token is not sent twice');
    writeFileSync(file, 'new');
    assert.deepEqual(
      await client.json({ method: 'GET', path: '/api/v1/namespaces' }),
      {},
      'taken within the re-read period',
    );
    assert.deepEqual(
      server.requests.slice(before + 1).map((r) => r.headers.authorization),
      ['Bearer old', 'Bearer new'],
    );
    client.close();
  });

  test('keeps a path prefix of the server URL', async () => {
    server.route = (_req, res) => {
      sendJson(res, 200, {});
    };
    await server.client('/k8s/clusters/c-1').json({ method: 'GET', path: '/api/v1/namespaces' });
    assert.equal(server.requests.at(-1)?.path, '/k8s/clusters/c-1/api/v1/namespaces');
  });

  test('sends a JSON body with the given content type', async () => {
    server.route = (req, res) => {
      sendJson(res, 201, JSON.parse(req.body));
    };
    const client = server.client();
    const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' } };
    const echoed = await client.json({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/ns/deployments/web',
      query: { fieldManager: 'mini-reloader', force: true },
      contentType: 'application/apply-patch+yaml',
      body,
    });
    assert.deepEqual(echoed, body);
    const req = server.requests.at(-1);
    assert.equal(req?.method, 'PATCH');
    assert.equal(req.headers['content-type'], 'application/apply-patch+yaml');
    assert.equal(req.query.get('force'), 'true');

    await client.json({ method: 'POST', path: '/api/v1/namespaces/ns/events', body: { a: 1 } });
    assert.equal(server.requests.at(-1)?.headers['content-type'], 'application/json');
  });

  test('an empty 2xx body gives undefined', async () => {
    server.route = (_req, res) => {
      res.writeHead(204).end();
    };
    assert.equal(
      await server.client().json({ method: 'DELETE', path: '/api/v1/namespaces/ns/configmaps/x' }),
      undefined,
    );
  });

  test('a Status response becomes an ApiError with its code, reason and message', async () => {
    const cases = [
      { code: 404, reason: 'NotFound', check: isNotFound },
      { code: 409, reason: 'Conflict', check: isConflict },
      { code: 410, reason: 'Expired', check: isGone },
    ];
    for (const c of cases) {
      const message = `configmaps "cm-${c.code}" says ${c.reason}`;
      server.route = (_req, res) => {
        sendJson(res, c.code, status(c.code, c.reason, message));
      };
      const err = await server
        .client()
        .json({ method: 'PUT', path: '/api/v1/namespaces/ns/configmaps/cm', body: {} })
        .then(
          () => assert.fail('expected a rejection'),
          (e: unknown) => e,
        );
      assert.ok(err instanceof ApiError);
      assert.equal(err.statusCode, c.code);
      assert.equal(err.reason, c.reason);
      assert.equal(err.method, 'PUT');
      assert.equal(err.path, '/api/v1/namespaces/ns/configmaps/cm');
      assert.ok(err.message.includes('PUT /api/v1/namespaces/ns/configmaps/cm'), err.message);
      assert.ok(err.message.includes(String(c.code)), err.message);
      assert.ok(err.message.includes(message), err.message);
      assert.equal(c.check(err), true);
      for (const other of cases.filter((o) => o !== c)) assert.equal(other.check(err), false);
    }
  });

  test('a body that is not a Status is quoted only when the request is not sensitive', async () => {
    const body = 'upstream said: hunter2-secret-value';
    server.route = (_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' }).end(body);
    };
    const client = server.client();

    const plain = await client.json({ method: 'GET', path: '/api/v1/configmaps' }).catch((e: unknown) => e);
    assert.ok(plain instanceof ApiError);
    assert.equal(plain.statusCode, 502);
    assert.equal(plain.reason, undefined);
    assert.ok(plain.message.includes('hunter2-secret-value'), plain.message);

    const sensitive = await client
      .json({ method: 'GET', path: '/api/v1/secrets', sensitive: true })
      .catch((e: unknown) => e);
    assert.ok(sensitive instanceof ApiError);
    assert.equal(sensitive.statusCode, 502);
    assert.ok(sensitive.message.includes('GET /api/v1/secrets'), sensitive.message);
    assert.ok(!sensitive.message.includes('hunter2'), sensitive.message);
    assert.ok(!String(sensitive.stack).includes('hunter2'));
  });

  test('a sensitive error keeps the Status message but nothing else of the body', async () => {
    server.route = (_req, res) => {
      sendJson(res, 422, {
        ...status(422, 'Invalid', 'Secret "s" is invalid'),
        details: { causes: [{ message: 'hunter2' }] },
        data: { password: 'aHVudGVyMg==' },
      });
    };
    const err = await server
      .client()
      .json({ method: 'PUT', path: '/api/v1/namespaces/ns/secrets/s', body: {}, sensitive: true })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.reason, 'Invalid');
    assert.ok(err.message.includes('Secret "s" is invalid'), err.message);
    assert.ok(!err.message.includes('hunter2') && !err.message.includes('aHVudGVyMg'), err.message);
  });

  test('a 2xx body that is not JSON is an ApiError that does not quote it', async () => {
    server.route = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data": hunter2');
    };
    const err = await server
      .client()
      .json({ method: 'GET', path: '/api/v1/secrets', sensitive: true })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.statusCode, 0);
    assert.ok(!err.message.includes('hunter2'), err.message);
    assert.equal(err.cause, undefined);
  });

  test('send() reads a 2xx answer to the end without parsing it, and throws ApiError otherwise', async () => {
    server.route = (req, res) => {
      if (req.method === 'PATCH') res.writeHead(200, { 'Content-Type': 'application/json' }).end('not JSON at all');
      else sendJson(res, 409, status(409, 'Conflict', 'the object has been modified'));
    };
    const client = server.client();
    const patch = { metadata: { annotations: { a: 'b' } } };
    await client.send({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/ns/deployments/web',
      contentType: 'application/merge-patch+json',
      body: patch,
    });
    const sent = server.requests.at(-1);
    assert.equal(sent?.headers['content-type'], 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(sent.body), patch);
    const err = await client
      .send({ method: 'POST', path: '/api/v1/namespaces/ns/events', body: {} })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ApiError && isConflict(err), String(err));
  });

  test('a connection failure is an ApiError with status 0', async () => {
    const gone = await FakeApiServer.start();
    const client = gone.client();
    await gone.close();
    const err = await client.json({ method: 'GET', path: '/api/v1/namespaces' }).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.statusCode, 0);
    assert.equal(err.path, '/api/v1/namespaces');
    assert.ok(err.cause !== undefined);
  });

  test("the caller's abort passes through unchanged", async () => {
    server.route = () => {
      /* never answers */
    };
    const controller = new AbortController();
    const before = server.requests.length;
    const pending = server.client().json({ method: 'GET', path: '/api/v1/namespaces', signal: controller.signal });
    await server.untilRequests((rs) => rs.length > before);
    const reason = new Error('stop now');
    controller.abort(reason);
    await assert.rejects(pending, (err: unknown) => err === reason);
  });

  test('stream() returns the body of a 2xx and throws ApiError otherwise', async () => {
    server.route = (req, res) => {
      if (req.query.get('resourceVersion') === 'old')
        sendJson(res, 410, status(410, 'Gone', 'too old resource version'));
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"type":"ADDED"}\n');
    };
    const client = server.client();
    const body = await client.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: 1 } });
    let text = '';
    for await (const chunk of body) text += Buffer.from(chunk).toString('utf8');
    assert.equal(text, '{"type":"ADDED"}\n');
    await assert.rejects(
      client.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: 1, resourceVersion: 'old' } }),
      (err: unknown) => isGone(err) && err instanceof ApiError && err.reason === 'Gone',
    );
  });

  test('a watch stream cut mid-read is an ApiError with status 0; leaving the iteration early closes the connection', async () => {
    server.route = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.write('{"type":"ADDED"}\n');
      if (req.query.get('cut') === '1')
        setImmediate(() => {
          res.destroy();
        });
    };
    const client = server.client();
    const cut = await client.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: 1, cut: 1 } });
    let chunks = 0;
    const err = await (async () => {
      for await (const chunk of cut) chunks += chunk.byteLength > 0 ? 1 : 0;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.statusCode, 0);
    assert.equal(chunks, 1, 'what came before the cut was delivered');

    let closed: () => void = () => undefined;
    const connectionClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    server.route = (_req, res) => {
      res.on('close', closed);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.write('{"type":"ADDED"}\n');
    };
    const open = await client.stream({ method: 'GET', path: '/api/v1/configmaps', query: { watch: 1 } });
    for await (const chunk of open) if (chunk.byteLength > 0) break;
    // The server's response never ends on its own: only the client closing the connection settles this.
    await connectionClosed;
  });
  test("reports each attempt's status code (or <error>) and each whole request's time, but no watch's time, by host:port alone", async () => {
    const answered: string[] = [];
    const took: string[] = [];
    const metrics = {
      answered: (method: string, host: string, code: string) => {
        answered.push(`${method} ${host} ${code}`);
      },
      took: (method: string, host: string, seconds: number) => {
        assert.ok(seconds >= 0);
        took.push(`${method} ${host}`);
      },
    };
    server.route = (req, res) => {
      if (req.method === 'PATCH') sendJson(res, 422, status(422, 'Invalid', 'no'));
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}\n');
    };
    const host = new URL(server.url).host;
    const client = new ApiClient(server.access('/k8s/clusters/c-1'), metrics);
    await client.json({ method: 'GET', path: '/api/v1/namespaces' });
    await assert.rejects(
      client.json({ method: 'PATCH', path: '/apis/apps/v1/namespaces/ns/deployments/web', body: {} }),
    );
    for (const query of [{ limit: 500 }, { watch: 1 }]) {
      for await (const chunk of await client.stream({ method: 'GET', path: '/api/v1/configmaps', query }))
        assert.ok(chunk.byteLength > 0);
    }
    assert.deepEqual(answered, [`GET ${host} 200`, `PATCH ${host} 422`, `GET ${host} 200`, `GET ${host} 200`]);
    assert.deepEqual(
      took,
      [`GET ${host}`, `PATCH ${host}`, `GET ${host}`],
      'the paged list is timed to its end; the watch is not timed',
    );

    const gone = await FakeApiServer.start();
    const goneHost = new URL(gone.url).host;
    const unreachable = new ApiClient(gone.access(), metrics);
    await gone.close();
    await assert.rejects(unreachable.json({ method: 'GET', path: '/api/v1/namespaces' }));
    assert.equal(answered.at(-1), `GET ${goneHost} <error>`);
    client.close();
  });
});
