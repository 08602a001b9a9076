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
  assert.deepEqual(r.received, [{ path: '/hooks/T0KEN', contentType: 'application/json', body: '{"a":1}' }]);
});

test('a non-2xx answer rejects with its status, naming the receiver by origin only (the path may be a token)', async (t) => {
  const r = await receiver((_req, res) => { res.statusCode = 503; res.end('down'); });
  t.after(() => r.close());
  const poster = new HttpPoster({ url: `${r.url}/hooks/T0KEN`, timeoutMs: 5000 });
  const err = await poster.post({ contentType: 'text/plain', text: 'x' }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof PostError);
  assert.equal(err.status, 503);
  assert.match(err.message, /HTTP 503/);
  assert.ok(err.message.includes(r.url));
  assert.ok(!err.message.includes('T0KEN'));
});

test('a redirect is not followed: it counts as a failure', async (t) => {
  const r = await receiver((_req, res) => { res.writeHead(302, { Location: '/elsewhere' }); res.end(); });
  t.after(() => r.close());
  const err = await new HttpPoster({ url: `${r.url}/hook`, timeoutMs: 5000 }).post({ contentType: 'text/plain', text: 'x' }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof PostError);
  assert.equal(err.status, 302);
  assert.equal(r.received.length, 1);
});

test('a receiver that does not answer in time, or is not there, rejects with status 0', async (t) => {
  const silent = await receiver(() => { /* never answers */ });
  t.after(() => silent.close());
  const late = await new HttpPoster({ url: `${silent.url}/hook`, timeoutMs: 200 }).post({ contentType: 'text/plain', text: 'x' }).then(() => undefined, (e: unknown) => e);
  assert.ok(late instanceof PostError);
  assert.equal(late.status, 0);
  assert.match(late.message, /timed out/);

  const gone = await receiver();
  const url = gone.url;
  await gone.close();
  const refused = await new HttpPoster({ url: `${url}/hook`, timeoutMs: 5000 }).post({ contentType: 'text/plain', text: 'x' }).then(() => undefined, (e: unknown) => e);
  assert.ok(refused instanceof PostError);
  assert.equal(refused.status, 0);
});

test('with a proxy, the POST goes through it', async (t) => {
  const r = await receiver();
  const proxy = await forwardProxy();
  t.after(async () => { await r.close(); await proxy.close(); });
  const poster = new HttpPoster({ url: `${r.url}/hook`, proxy: proxy.url, timeoutMs: 5000 });
  await poster.post({ contentType: 'text/plain', text: 'via proxy' });
  await poster.close();
  assert.equal(proxy.used(), 1);
  assert.equal(r.received[0]?.body, 'via proxy');
});
