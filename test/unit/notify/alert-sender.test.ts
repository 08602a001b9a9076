import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../src/logger.ts';
import { Metrics } from '../../../src/metrics/metrics.ts';
import { alertBody, alertText, structuredAlertBody } from '../../../src/notify/alert-message.ts';
import { AlertSender } from '../../../src/notify/alert-sender.ts';
import { HttpPoster } from '../../../src/notify/http-post.ts';
import type { RollNotice } from '../../../src/reload/roll-messages.ts';
import { receiver } from '../../support/http-receivers.ts';

const logger = createLogger('json', 'error', { write: () => undefined });

const NOTICE: RollNotice = {
  workload: { kind: 'Deployment', namespace: 'shop', name: 'web' },
  changed: [
    { kind: 'ConfigMap', name: 'settings' },
    { kind: 'Secret', name: 'db' },
  ],
  follows: [
    { kind: 'ConfigMap', name: 'settings' },
    { kind: 'Secret', name: 'db' },
    { kind: 'ConfigMap', name: 'flags' },
  ],
  hash: 'abc',
};

function alertsCounted(metrics: Metrics): Record<string, number> {
  return Object.fromEntries(metrics.handles.alertsTotal.values().map((v) => [v.labels.result, v.value]));
}

test('the text names the workload, its kind, the namespace and each config that changed, after the additional info', () => {
  assert.equal(
    alertText(NOTICE, 'Cluster: prod-eu'),
    'Cluster: prod-eu : mini-reloader detected changes in *settings* of type *ConfigMap*, *db* of type *Secret* in namespace *shop*. Hence rolled *web* of type *Deployment*',
  );
  assert.ok(!alertText(NOTICE, undefined).includes(' : '));
});

test('the text and the structured body name the changed keys and who wrote them, never a value', () => {
  const notice: RollNotice = {
    ...NOTICE,
    changed: [
      {
        kind: 'ConfigMap',
        name: 'app',
        keys: { changed: ['FEATURE_X', 'LOG_LEVEL'], added: [], removed: ['OLD'] },
        manager: 'kubectl-edit',
        owner: 'ExternalSecret/app',
      },
    ],
  };
  assert.match(
    alertText(notice, undefined),
    /\*app\* of type \*ConfigMap\* \(keys FEATURE_X, LOG_LEVEL changed; key OLD removed, by kubectl-edit, owned by ExternalSecret\/app\)/,
  );
  const body = JSON.parse(structuredAlertBody(notice, undefined, new Date(0)).text) as { resources: unknown[] };
  assert.deepEqual(body.resources, [
    {
      kind: 'ConfigMap',
      name: 'app',
      namespace: NOTICE.workload.namespace,
      keys: { changed: ['FEATURE_X', 'LOG_LEVEL'], added: [], removed: ['OLD'] },
      manager: 'kubectl-edit',
      owner: 'ExternalSecret/app',
    },
  ]);
});

test('each sink gets the body it expects', () => {
  const text = 'changes in *settings*';
  assert.deepEqual(JSON.parse(alertBody('slack', text).text), {
    attachments: [{ text, color: 'good', author_name: 'mini-reloader' }],
  });
  assert.deepEqual(JSON.parse(alertBody('teams', text).text), { text });
  assert.deepEqual(JSON.parse(alertBody('gchat', text).text), { text });
  assert.equal(alertBody('slack', text).contentType, 'application/json');
  assert.deepEqual(alertBody('raw', text), { contentType: 'text/plain; charset=utf-8', text: 'changes in settings' });
  assert.deepEqual(alertBody('webhook', text), alertBody('raw', text));
});

test("--alert-structured: Stakater v2's JSON object, naming the first config that changed, and every one in resources", () => {
  const at = new Date('2026-03-04T05:06:07.890Z');
  const body = structuredAlertBody(NOTICE, 'Cluster: prod-eu', at);
  assert.equal(body.contentType, 'application/json');
  assert.deepEqual(JSON.parse(body.text), {
    event: 'reload',
    workloadKind: 'Deployment',
    workloadName: 'web',
    workloadNamespace: 'shop',
    resourceKind: 'ConfigMap',
    resourceName: 'settings',
    resourceNamespace: 'shop',
    timestamp: '2026-03-04T05:06:07Z',
    additional: 'Cluster: prod-eu',
    resources: [
      { kind: 'ConfigMap', name: 'settings', namespace: 'shop' },
      { kind: 'Secret', name: 'db', namespace: 'shop' },
    ],
  });
  const bare = JSON.parse(structuredAlertBody({ ...NOTICE, changed: [] }, undefined, at).text) as Record<
    string,
    unknown
  >;
  assert.equal('additional' in bare, false, 'additional is left out when not set, as Stakater omits it');
  assert.equal(bare.resourceName, 'settings', 'a roll that names no change names the configs followed');
  assert.equal((bare.resources as unknown[]).length, 3);
});

test('structured alerts reach the raw receiver as JSON dated when the roll was reported; other sinks keep their body', async (t) => {
  const r = await receiver();
  t.after(() => r.close());
  const metrics = new Metrics();
  const at = new Date('2026-01-02T03:04:05Z');
  for (const sink of ['raw', 'webhook', 'gchat'] as const) {
    const sender = new AlertSender({
      poster: new HttpPoster({ url: `${r.url}/${sink}`, timeoutMs: 5000 }),
      sink,
      additionalInfo: undefined,
      structured: true,
      logger,
      metrics,
      now: () => at,
    });
    sender.notify(NOTICE);
    await sender.drain(5000);
  }
  assert.equal(r.received.length, 3);
  for (const raw of r.received.slice(0, 2)) {
    assert.match(raw.contentType ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(raw.body), JSON.parse(structuredAlertBody(NOTICE, undefined, at).text));
  }
  assert.deepEqual(JSON.parse(r.received[2]?.body ?? ''), { text: alertText(NOTICE, undefined) });
});

test('alerts reach a local receiver in order, and are counted as sent', async (t) => {
  const r = await receiver();
  t.after(() => r.close());
  const metrics = new Metrics();
  const sender = new AlertSender({
    poster: new HttpPoster({ url: `${r.url}/slack`, timeoutMs: 5000 }),
    sink: 'slack',
    additionalInfo: undefined,
    structured: false,
    logger,
    metrics,
  });
  sender.notify(NOTICE);
  sender.notify({ ...NOTICE, workload: { ...NOTICE.workload, name: 'api' } });
  await sender.drain(5000);
  assert.equal(r.received.length, 2);
  assert.match(r.received[0]?.body ?? '', /\*web\* of type \*Deployment\*/);
  assert.match(r.received[1]?.body ?? '', /\*api\* of type \*Deployment\*/);
  assert.deepEqual(alertsCounted(metrics), { sent: 2 });
});

test('notify returns at once while the receiver hangs; failures are logged and counted, and later alerts still go out', async (t) => {
  let answer = false;
  const pending: (() => void)[] = [];
  const r = await receiver((_req, res) => {
    if (answer) res.end('ok');
    else
      pending.push(() => {
        res.statusCode = 500;
        res.end();
      });
  });
  t.after(() => r.close());
  const metrics = new Metrics();
  const lines: string[] = [];
  const capture = createLogger('json', 'info', {
    write: (line: string) => {
      lines.push(line);
    },
  });
  const sender = new AlertSender({
    poster: new HttpPoster({ url: `${r.url}/hook/T0KEN`, timeoutMs: 5000 }),
    sink: 'raw',
    additionalInfo: undefined,
    structured: false,
    logger: capture,
    metrics,
  });
  sender.notify(NOTICE);
  // Nothing has been answered yet, and notify already returned: the caller was never held up.
  while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
  answer = true;
  sender.notify(NOTICE);
  for (const fail of pending) fail();
  await sender.drain(5000);
  assert.deepEqual(alertsCounted(metrics), { failed: 1, sent: 1 });
  const failure = lines
    .map((l) => JSON.parse(l) as { msg: string; err?: string; workload?: string })
    .find((l) => l.msg === 'alert not sent');
  assert.equal(failure?.workload, 'Deployment/shop/web');
  assert.match(failure.err ?? '', /HTTP 500/);
  assert.ok(!lines.join('').includes('T0KEN'), 'the webhook token is never logged');
});

test('when the receiver falls behind, alerts beyond the bound are dropped and counted', async (t) => {
  const pending: (() => void)[] = [];
  const r = await receiver((_req, res) => {
    pending.push(() => res.end('ok'));
  });
  t.after(() => r.close());
  const metrics = new Metrics();
  const sender = new AlertSender({
    poster: new HttpPoster({ url: `${r.url}/hook`, timeoutMs: 5000 }),
    sink: 'raw',
    additionalInfo: undefined,
    structured: false,
    logger,
    metrics,
    capacity: 2,
  });
  for (let i = 0; i < 6; i++) sender.notify(NOTICE);
  // One is in flight, two wait, three are dropped.
  assert.deepEqual(alertsCounted(metrics), { dropped: 3 });
  for (let sent = 0; sent < 3; sent++) {
    while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.();
  }
  await sender.drain(5000);
  assert.deepEqual(alertsCounted(metrics), { dropped: 3, sent: 3 });
});
