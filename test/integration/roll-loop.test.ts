import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, eventually, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap } from './support/config.ts';
import { startController, type LogLine } from './support/controller.ts';
import { deployment, eventsFor } from './support/workloads.ts';

const WRITER = 'loop-writer';
const MAX_ROLLS = 3;
const WINDOW_MS = 40_000;
const FLAGS = [`--max-rolls-per-workload=${MAX_ROLLS}`, `--roll-loop-window=${WINDOW_MS / 1000}s`, '--debounce=0'];
const HELD = `held as a restart loop: rolled ${MAX_ROLLS} times within 40s`;

const usesConfig = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };

const at = (line: LogLine): number => Date.parse(String(line.time));

test('a Deployment whose ConfigMap is changed twenty times in a minute rolls at most --max-rolls-per-workload times in the window, gets one ReloadLoop Warning naming the config and its writer, and rolls once more with the newest data when the window has passed, also across a restart of the controller', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { GREETING: 'v0' });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', usesConfig, AUTO) });
  const first = await startController(t, ns, FLAGS);
  const metrics = async (controller: typeof first): Promise<string> => {
    const started = await controller.waitFor('its start line', (l) => l.msg === 'mini-reloader started');
    return (await fetch(`http://127.0.0.1:${String(started.port)}/metrics`)).text();
  };
  const key = `Deployment/${ns}/web`;
  await first.decided(key, 'adopted');

  const mark = first.mark();
  for (let i = 1; i <= 20; i++) {
    const cm = await c.core.readNamespacedConfigMap({ name: 'app-config', namespace: ns });
    cm.data = { GREETING: `v${i}` };
    await c.core.replaceNamespacedConfigMap({ name: 'app-config', namespace: ns, fieldManager: WRITER, body: cm });
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const held = await first.decided(key, HELD, mark);
  const until = Date.parse(String(held.until));
  const rolls = first.lines.slice(mark).filter((l) => l.workload === key && l.msg.startsWith('rolled'));
  assert.equal(rolls.length, MAX_ROLLS, 'rolled up to the limit, then held');
  const lastRoll = rolls.at(-1);
  assert.ok(lastRoll !== undefined);
  assert.ok(until - at(lastRoll) <= WINDOW_MS + 1000, 'held until the window has passed since the last roll');
  const loops = await eventually('the ReloadLoop Event', async () => {
    const e = await eventsFor(c, ns, 'web', 'ReloadLoop');
    return e.length > 0 ? e : undefined;
  });
  assert.equal(loops.length, 1, 'one Warning for the held state, not one per change');
  assert.match(loops[0] ?? '', new RegExp(`ConfigMap/app-config: key GREETING changed \\(by ${WRITER}\\)`));

  assert.match(await metrics(first), /^mini_reloader_held_workloads\{reason="roll-loop"\} 1$/m);

  // A restart while held: the new process counts the rolls from the workload's roll times and does not roll early.
  await first.stop();
  const second = await startController(t, ns, FLAGS);
  const restartedAt = Date.now();
  const rolled = await second.waitFor(
    'the roll after the window',
    (l) => l.workload === key && l.msg.startsWith('rolled'),
    0,
    WINDOW_MS + 60_000,
  );
  assert.ok(at(rolled) >= until, `rolled at ${String(rolled.time)}, not before ${new Date(until).toISOString()}`);
  const afterRoll = second.lines.indexOf(rolled);
  if (restartedAt < until - 1000) {
    const heldAgain = second.lines.findIndex((l) => l.workload === key && l.msg.startsWith(HELD));
    assert.ok(heldAgain >= 0 && heldAgain < afterRoll, 'held after the restart until the window had passed');
    assert.match(await metrics(second), /^mini_reloader_held_workloads\{reason="roll-loop"\} 0$/m, 'no longer held');
  }
  // With the newest data: its own write brings it back, and its record matches v20.
  await second.decided(key, 'not rolled: config unchanged', afterRoll);
  assert.equal(second.count(key, 'rolled'), 1, 'once more after the window');
  const reloaded = await eventsFor(c, ns, 'web', 'Reloaded');
  assert.equal(reloaded.length, MAX_ROLLS + 1);
  assert.match(reloaded.join('\n'), /ConfigMap\/app-config/);
});
