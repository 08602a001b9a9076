import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpPoster } from '../../../src/notify/http-post.ts';
import { webhookNotifier } from '../../../src/notify/webhook-notifier.ts';
import { receiver } from '../../support/http-receivers.ts';

const NOTICE = {
  workload: { kind: 'StatefulSet', namespace: 'db', name: 'pg' },
  changed: [{ kind: 'Secret' as const, name: 'creds' }],
  follows: [
    { kind: 'Secret' as const, name: 'creds' },
    { kind: 'ConfigMap' as const, name: 'tuning' },
  ],
  hash: 'h1',
};

test('--webhook-url gets one JSON body per roll: the workload, what changed, what it follows, the hash and when', async (t) => {
  const r = await receiver();
  t.after(() => r.close());
  const notify = webhookNotifier(
    new HttpPoster({ url: `${r.url}/hook`, timeoutMs: 5000 }),
    () => new Date('2026-11-23T10:00:00Z'),
  );
  await notify(NOTICE);
  assert.equal(r.received[0]?.contentType, 'application/json');
  assert.deepEqual(JSON.parse(r.received[0].body), {
    source: 'mini-reloader',
    workload: { kind: 'StatefulSet', namespace: 'db', name: 'pg' },
    changed: [{ kind: 'Secret', name: 'creds' }],
    follows: [
      { kind: 'Secret', name: 'creds' },
      { kind: 'ConfigMap', name: 'tuning' },
    ],
    configHash: 'h1',
    observedAt: '2026-11-23T10:00:00.000Z',
  });
});

test('a receiver that fails makes the notice reject, so the workload is retried', async (t) => {
  const r = await receiver((_req, res) => {
    res.statusCode = 500;
    res.end();
  });
  t.after(() => r.close());
  await assert.rejects(webhookNotifier(new HttpPoster({ url: `${r.url}/hook`, timeoutMs: 5000 }))(NOTICE), /HTTP 500/);
});
