import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test, type TestContext } from 'node:test';
import { forwardProxy, receiver } from '../support/http-receivers.ts';
import { clients, eventually, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { deployment } from './support/workloads.ts';

/** Credentials and tokens a receiver URL carries; none of them may show beyond the receiver. */
type UrlSecrets = Readonly<Record<'user' | 'password' | 'pathToken' | 'queryToken', string>>;

function secrets(): UrlSecrets {
  const random = (): string => randomBytes(9).toString('base64url');
  return {
    user: `user-${random()}`,
    password: `pw-${random()}`,
    pathToken: `path-${random()}`,
    queryToken: `query-${random()}`,
  };
}

/**
 * A receiver that demands basic auth with `s` (401 otherwise), answers 500
 * to the first authenticated POST and 200 to the rest. Its URL holds the
 * credentials, a token in the path and one in the query.
 */
async function basicAuthReceiver(
  t: TestContext,
  s: UrlSecrets,
): Promise<{ url: string; origin: string; answers: number[] }> {
  const expected = `Basic ${Buffer.from(`${s.user}:${s.password}`).toString('base64')}`;
  const answers: number[] = [];
  const r = await receiver((req: IncomingMessage, res: ServerResponse) => {
    const status = req.headers.authorization !== expected ? 401 : answers.includes(500) ? 200 : 500;
    answers.push(status);
    res.writeHead(status).end();
  });
  t.after(() => r.close());
  const origin = new URL(r.url);
  return {
    url: `http://${s.user}:${s.password}@${origin.host}/hooks/${s.pathToken}?token=${s.queryToken}`,
    origin: origin.origin,
    answers,
  };
}

/** Every log line and every Event of the namespace, as text: none may hold a secret. */
async function assertNothingLeaks(c: Clients, ns: string, controller: ControllerProcess, s: UrlSecrets): Promise<void> {
  const events = (await c.core.listNamespacedEvent({ namespace: ns })).items;
  const said = [...controller.lines.map((l) => JSON.stringify(l)), ...events.map((e) => JSON.stringify(e))];
  for (const [name, value] of Object.entries(s)) {
    const leaks = said.filter((text) => text.includes(value));
    assert.deepEqual(leaks, [], `the ${name} of the receiver URL appears`);
  }
}

async function webUsingSettings(c: Clients, ns: string): Promise<string> {
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  return `Deployment/${ns}/web`;
}

test('--webhook-url with user:password gets basic auth; when it fails, neither the logs nor the ReloadFail Event hold the password or tokens', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const s = secrets();
  const hook = await basicAuthReceiver(t, s);
  const key = await webUsingSettings(c, ns);
  const controller = await startController(t, ns, [`--webhook-url=${hook.url}`]);
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(key, 'told the webhook', mark);
  assert.deepEqual(hook.answers, [500, 200], 'authenticated both times; the 500 was retried');

  const failure = await eventually('the ReloadFail Event', async () => {
    const events = (await c.core.listNamespacedEvent({ namespace: ns })).items;
    return events.find((e) => e.reason === 'ReloadFail');
  });
  assert.ok(failure.message?.includes(`POST to ${hook.origin} answered HTTP 500`), failure.message);
  await assertNothingLeaks(c, ns, controller, s);
});

test('ALERT_WEBHOOK_URL with user:password gets basic auth through ALERT_WEBHOOK_PROXY; a failed alert logs the origin only', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const s = secrets();
  const alerts = await basicAuthReceiver(t, s);
  const proxy = await forwardProxy();
  t.after(() => proxy.close());
  const key = await webUsingSettings(c, ns);
  const controller = await startController(t, ns, [], undefined, {
    ALERT_ON_RELOAD: 'true',
    ALERT_SINK: 'raw',
    ALERT_WEBHOOK_URL: alerts.url,
    ALERT_WEBHOOK_PROXY: proxy.url,
  });
  await controller.decided(key, 'adopted');

  let mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(key, 'rolled', mark);
  const failed = await controller.waitFor('the failed alert', (l) => l.msg === 'alert not sent', mark);
  assert.equal(failed.err, `POST to ${alerts.origin} answered HTTP 500`);

  mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '3' });
  await controller.decided(key, 'rolled', mark);
  await eventually('the second alert to be taken', () =>
    Promise.resolve(alerts.answers.length === 2 ? true : undefined),
  );
  assert.deepEqual(alerts.answers, [500, 200], 'authenticated both times');
  assert.equal(proxy.requests.length, 2, 'both went through the proxy');
  assert.ok(
    proxy.requests.every((r) => r.startsWith(`POST ${alerts.origin}/hooks/`)),
    proxy.requests.join('\n'),
  );
  await assertNothingLeaks(c, ns, controller, s);
});
