import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clients, eventually, testNamespace } from './support/cluster.ts';
import { AUTO, createSecret, updateSecret } from './support/config.ts';
import { sourceCli, startController } from './support/controller.ts';
import { deployment } from './support/workloads.ts';

/**
 * The ways `canary` can sit in a heap as text: itself, and base64 of it after
 * 0, 1 or 2 other bytes (inside a larger value), keeping only the characters
 * that encode canary bits alone (those at the edges also encode neighbours).
 */
function needles(canary: string): string[] {
  const bytes = Buffer.from(canary);
  const found = [canary];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x41), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    found.push(encoded.slice(first, end));
  }
  return found;
}

/** Waits for Node's heap snapshot in `dir` to be written whole, and reads it. */
async function heapSnapshot(dir: string): Promise<Buffer> {
  const file = await eventually(
    'a .heapsnapshot file',
    async () => (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot')),
    60_000,
  );
  const full = path.join(dir, file);
  let size = -1;
  for (;;) {
    await sleep(500);
    const now = (await stat(full)).size;
    if (now === size && now > 0) break;
    size = now;
  }
  const snapshot = await readFile(full);
  assert.equal(snapshot.at(-1), '}'.charCodeAt(0), 'the heap snapshot is complete JSON');
  return snapshot;
}

test(
  'no Secret value stays in the controller heap once hashed: not the first, not the rolled one',
  { timeout: 180_000 },
  async (t) => {
    const c = clients();
    const ns = await testNamespace(t, c);
    const dir = await mkdtemp(path.join(tmpdir(), 'secret-heap-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const first = `canary-${randomBytes(18).toString('hex')}`;
    const second = `canary-${randomBytes(18).toString('hex')}`;

    await createSecret(c, ns, 'creds', { password: first });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(
        'web',
        { containers: [{ name: 'app', image: 'x', envFrom: [{ secretRef: { name: 'creds' } }] }] },
        AUTO,
      ),
    });
    const controller = await startController(
      t,
      ns,
      [],
      undefined,
      {},
      { command: sourceCli(['--heapsnapshot-signal=SIGUSR2']), cwd: dir },
    );
    const key = `Deployment/${ns}/web`;
    await controller.decided(key, 'adopted');
    const mark = controller.mark();
    await updateSecret(c, ns, 'creds', { password: second });
    await controller.decided(key, 'rolled', mark);

    controller.signal('SIGUSR2');
    const snapshot = await heapSnapshot(dir);
    assert.ok(snapshot.includes('Deployment/'), "the snapshot holds the controller's strings");
    for (const [which, canary] of [
      ['first', first],
      ['rolled', second],
    ] as const) {
      for (const needle of needles(canary)) {
        assert.equal(snapshot.indexOf(needle), -1, `the ${which} Secret value is in the heap as "${needle}"`);
      }
    }
  },
);
