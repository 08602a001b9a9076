import { spawnSync } from 'node:child_process';
import { ConfigCache } from '../../src/config/config-cache.ts';

/**
 * What the config cache itself retains per object: heap after forced GC with
 * N objects minus with none, each in a fresh process so nothing else differs.
 *
 *   npm run bench:cache -- [--objects 50000] [--value-bytes 4096] [--keys 2]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

function retainedHeap(objects: number, valueBytes: number, keys: number): number {
  const cache = new ConfigCache({
    enabledLabel: 'l',
    ignoreAnnotation: 'i',
    matchAnnotation: 'm',
    onChange: () => undefined,
    onInvalid: () => undefined,
  });
  const handlers = cache.handlers('Secret');
  const value = Buffer.from('x'.repeat(valueBytes)).toString('base64');
  for (let i = 0; i < objects; i++) {
    const data = Object.fromEntries(Array.from({ length: keys }, (_, k) => [`key-${k}`, value]));
    // Parsed from text, as objects arrive from a watch.
    handlers.upsert(
      JSON.parse(JSON.stringify({ metadata: { name: `secret-${i}`, namespace: `ns-${i % 100}` }, data })) as never,
    );
  }
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  if (cache.size('Secret') !== objects) throw new Error('cache lost objects');
  return process.memoryUsage().heapUsed;
}

if (args[0] === '--child') {
  console.log(retainedHeap(Number(args[1]), Number(args[2]), Number(args[3])));
} else {
  const objects = arg('objects', 50_000);
  const valueBytes = arg('value-bytes', 4096);
  const keys = arg('keys', 2);
  const measure = (n: number): number => {
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', import.meta.filename, '--child', String(n), String(valueBytes), String(keys)],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    return Number(run.stdout.trim());
  };
  const empty = measure(0);
  const full = measure(objects);
  console.log(
    JSON.stringify(
      {
        objects,
        keysPerObject: keys,
        valueBytes,
        rawValueMiB: +((objects * keys * valueBytes) / 2 ** 20).toFixed(1),
        retainedMiB: +((full - empty) / 2 ** 20).toFixed(1),
        bytesPerObject: Math.round((full - empty) / objects),
      },
      null,
      2,
    ),
  );
}
