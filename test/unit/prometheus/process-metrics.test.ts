import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { processMetrics } from '../../../src/prometheus/process-metrics.ts';
import { Registry } from '../../../src/prometheus/registry.ts';

/** The value of the unlabelled sample `name` in `text`. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line !== undefined, `${name} is exported`);
  return Number(line.slice(name.length + 1));
}

test('process and Node.js metrics are read at each scrape, under the names dashboards use', async () => {
  const registry = new Registry();
  registry.register(processMetrics());
  const before = await registry.metrics();
  const burn = Date.now();
  while (Date.now() - burn < 30) {
    /* spend some CPU so the counter has to move */
  }
  const retained = Buffer.alloc(4 * 1024 * 1024, 1);
  const after = await registry.metrics();

  for (const name of [
    'process_cpu_user_seconds_total',
    'process_cpu_system_seconds_total',
    'process_cpu_seconds_total',
  ]) {
    assert.match(after, new RegExp(`^# TYPE ${name} counter$`, 'm'));
  }
  assert.ok(
    sample(after, 'process_cpu_seconds_total') > sample(before, 'process_cpu_seconds_total'),
    'CPU time is read when scraped',
  );
  assert.ok(
    Math.abs(
      sample(after, 'process_cpu_seconds_total') -
        sample(after, 'process_cpu_user_seconds_total') -
        sample(after, 'process_cpu_system_seconds_total'),
    ) < 1e-6,
  );
  const start = sample(after, 'process_start_time_seconds');
  assert.ok(
    start <= Date.now() / 1000 + 1 && start >= Date.now() / 1000 - process.uptime() - 1,
    'the start time is when this process started',
  );
  assert.ok(sample(after, 'process_resident_memory_bytes') >= retained.length);
  assert.ok(sample(after, 'nodejs_external_memory_bytes') >= retained.length, 'a Buffer counts as external memory');
  assert.ok(sample(after, 'nodejs_heap_size_used_bytes') <= sample(after, 'nodejs_heap_size_total_bytes'));
  assert.ok(sample(after, 'nodejs_eventloop_lag_seconds') >= 0);
  assert.ok(sample(after, 'nodejs_active_resources_total') >= 0);
  assert.match(after, /^nodejs_heap_space_size_used_bytes\{space="old"\} \d+$/m);
  const [major, minor, patch] = process.versions.node.split('.');
  assert.ok(
    after.includes(
      `nodejs_version_info{version="${process.version}",major="${major ?? ''}",minor="${minor ?? ''}",patch="${patch ?? ''}"} 1\n`,
    ),
  );
  if (existsSync('/proc/self/status')) {
    assert.ok(sample(after, 'process_virtual_memory_bytes') >= sample(after, 'process_resident_memory_bytes'));
    assert.ok(sample(after, 'process_heap_bytes') > 0);
    assert.ok(sample(after, 'process_open_fds') >= 3, 'at least stdin, stdout and stderr');
    assert.ok(sample(after, 'process_max_fds') >= sample(after, 'process_open_fds'));
  }
});
