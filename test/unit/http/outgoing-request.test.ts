import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { keepAliveAgent, readText, sendRequest } from '../../../src/http/outgoing-request.ts';

/** A server that sends its headers and one chunk of body, then holds the response open. */
async function slowBodyServer(t: TestContext): Promise<URL> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first chunk');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

test('an abort while the body is read fails the read with an AbortError, and a later abort throws nothing', async (t) => {
  const url = await slowBodyServer(t);
  const agent = keepAliveAgent('http:');
  t.after(() => {
    agent.destroy();
  });
  const controller = new AbortController();
  const res = await sendRequest(url, {
    agent,
    method: 'GET',
    headers: {},
    signal: controller.signal,
    idleTimeoutMs: 10_000,
  });
  const reading = readText(res);
  controller.abort();
  await assert.rejects(reading, isAbortError);
  // The listener was released with the response: aborting again reaches no socket.
  controller.abort();
  assert.equal(res.destroyed, true);
});

test('an already aborted signal fails the request with an AbortError before anything is sent', async (t) => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const agent = keepAliveAgent('http:');
  t.after(() => {
    agent.destroy();
  });
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await assert.rejects(
    sendRequest(url, { agent, method: 'GET', headers: {}, signal: AbortSignal.abort(), idleTimeoutMs: 10_000 }),
    isAbortError,
  );
  assert.equal(requests, 0);
});
