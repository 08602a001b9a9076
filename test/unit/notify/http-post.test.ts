import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpPoster, PostError } from '../../../src/notify/http-post.ts';
import { forwardProxy, receiver } from '../../support/http-receivers.ts';

test('a 2xx answer is success; the body and content type arrive as sent', async (t) => {
  const r = await receiver();
  t.after(() => r.close());
  const poster = new HttpPoster({ url: `${r.url}/hooks/T0KEN`, timeoutMs: 5000 });
  await poster.post({ contentType: 'application/json', text: '{"a":1}' });
  await poster.close();
  assert.deepEqual(r.received, [
    { path: '/hooks/T0KEN', contentType: 'application/json', authorization: undefined, body: '{"a":1}' },
  ]);
});

test('a non-2xx answer rejects with its status, naming the receiver by origin only (the path may be a token)', async (t) => {
  const r = await receiver((_req, res) => {
    res.statusCode = 503;
    res.end('down');
  });
  t.after(() => r.close());
  const poster = new HttpPoster({ url: `${r.url}/hooks/T0KEN`, timeoutMs: 5000 });
  const err = await poster.post({ contentType: 'text/plain', text: 'x' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof PostError);
  assert.equal(err.status, 503);
  assert.match(err.message, /HTTP 503/);
  assert.ok(err.message.includes(r.url));
  assert.ok(!err.message.includes('T0KEN'));
});

test('a redirect is not followed: it counts as a failure', async (t) => {
  const r = await receiver((_req, res) => {
    res.writeHead(302, { Location: '/elsewhere' });
    res.end();
  });
  t.after(() => r.close());
  const err = await new HttpPoster({ url: `${r.url}/hook`, timeoutMs: 5000 })
    .post({ contentType: 'text/plain', text: 'x' })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(err instanceof PostError);
  assert.equal(err.status, 302);
  assert.equal(r.received.length, 1);
});

test('a receiver that does not answer in time, or is not there, rejects with status 0', async (t) => {
  const silent = await receiver(() => {
    /* never answers */
  });
  t.after(() => silent.close());
  const late = await new HttpPoster({ url: `${silent.url}/hook`, timeoutMs: 200 })
    .post({ contentType: 'text/plain', text: 'x' })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(late instanceof PostError);
  assert.equal(late.status, 0);
  assert.match(late.message, /timed out/);

  const gone = await receiver();
  const url = gone.url;
  await gone.close();
  const refused = await new HttpPoster({ url: `${url}/hook`, timeoutMs: 5000 })
    .post({ contentType: 'text/plain', text: 'x' })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(refused instanceof PostError);
  assert.equal(refused.status, 0);
});

test('with a proxy, the POST goes through it', async (t) => {
  const r = await receiver();
  const proxy = await forwardProxy();
  t.after(async () => {
    await r.close();
    await proxy.close();
  });
  const poster = new HttpPoster({ url: `${r.url}/hook`, proxy: proxy.url, timeoutMs: 5000 });
  await poster.post({ contentType: 'text/plain', text: 'via proxy' });
  await poster.close();
  assert.deepEqual(proxy.requests, [`POST ${r.url}/hook`], 'an http target is asked for in absolute form');
  assert.equal(r.received[0]?.body, 'via proxy');
});

test('credentials in the URL are sent as basic auth and never in the request line', async (t) => {
  const r = await receiver();
  t.after(() => r.close());
  const origin = new URL(r.url);
  const poster = new HttpPoster({
    url: `http://hook%40user:p%C3%A4ss%3Aword@${origin.host}/hooks/T0KEN?token=abc`,
    timeoutMs: 5000,
  });
  await poster.post({ contentType: 'text/plain', text: 'x' });
  await poster.close();
  assert.equal(r.received[0]?.authorization, `Basic ${Buffer.from('hook@user:päss:word').toString('base64')}`);
  assert.equal(r.received[0].path, '/hooks/T0KEN?token=abc');
});

test('an https target goes through the proxy as a CONNECT tunnel; failures name neither credentials, path nor query', async (t) => {
  const proxy = await forwardProxy();
  const plain = await receiver();
  t.after(async () => {
    await proxy.close();
    await plain.close();
  });
  const host = new URL(plain.url).host;
  // A plain HTTP server behind the tunnel fails the TLS handshake: enough to see the tunnel and the error.
  const poster = new HttpPoster({
    url: `https://user:hunter2@${host}/hooks/T0KEN?token=s3cr3t`,
    proxy: proxy.url,
    timeoutMs: 5000,
  });
  const err = await poster.post({ contentType: 'text/plain', text: 'x' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await poster.close();
  assert.deepEqual(proxy.requests, [`CONNECT ${host}`]);
  assert.ok(err instanceof PostError);
  assert.equal(err.status, 0);
  assert.ok(err.message.startsWith(`POST to https://${host} failed`), err.message);
  for (const secret of ['hunter2', 'user', 'T0KEN', 's3cr3t']) {
    assert.ok(!err.message.includes(secret), err.message);
    assert.ok(!String(err.stack).includes(secret));
    assert.ok(!(err.cause instanceof Error && `${err.cause.message} ${String(err.cause.stack)}`.includes(secret)));
  }
});
