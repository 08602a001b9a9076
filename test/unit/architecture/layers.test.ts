import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const SRC = resolve(import.meta.dirname, '../../../src');

/**
 * The layers of `src/`, lowest first. A unit is a folder (`kube/`) or a
 * file at the top of `src/` (`options.ts`). A file may import files of its
 * own unit and of units in lower layers, never of a higher layer nor of
 * another unit in its own layer. Type-only imports count: they are
 * dependencies a reader follows too.
 *
 * 0. Node's file system module, taken without its ESM namespace (the
 *    logger writes with it).
 * 1. What depends on nothing else in `src/`: the identities and codecs every
 *    other folder names things by (`model/`), and the leaf helpers.
 * 2. Self-contained engines: the Prometheus registry and the work queue.
 * 3. HTTP plumbing (the probe server serves the registry).
 * 4. The Kubernetes API client, the reflector and the relist sweep.
 * 5. The two caches, side by side: neither knows the other.
 * 6. Deciding and writing rolls, from both caches.
 * 7. The controller's metrics (they name reconcile outcomes).
 * 8. What tells the world about rolls: alerts and the webhook.
 * 9. The controller: caches, queue and reconciler wired together.
 * 10. Leader election, which drives the controller's `Leadership`.
 * 11. The flags, which name strategies, kinds and alert sinks.
 * 12. Flags turned into the controller's settings.
 * 13. `explain`: the cluster read once into the caches, decided as the
 *     controller decides, with the settings `run` would have.
 * 14. The commands.
 * 15. The entry point, which settles the V8 flags before it loads them.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['node-fs.ts'],
  ['model/', 'logger.ts', 'duration.ts', 'parse-bool.ts', 'v8-flags.ts', 'reused-buffer.ts'],
  ['prometheus/', 'queue/'],
  ['http/'],
  ['kube/'],
  ['config/', 'workload/'],
  ['reload/'],
  ['metrics/'],
  ['notify/'],
  ['controller/'],
  ['leader/'],
  ['options/', 'migrate/'],
  ['run-settings.ts'],
  ['explain/'],
  ['commands.ts'],
  ['cli.ts'],
];

/** Every `.ts` file under `src/`, as a path relative to it with `/` separators. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** The files of `src/` that `file` imports (statically, with `export ... from`, or with `import()`), from its parsed text. */
function imports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)));
}

function unitOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash + 1);
}

const files = sourceFiles();
const graph = new Map(files.map((file) => [file, imports(file)]));
const layerOf = new Map(LAYERS.flatMap((units, layer) => units.map((unit): [string, number] => [unit, layer])));

test('every folder and top-level file of src is in exactly one layer, and every layer names only what exists', () => {
  const units = new Set(files.map(unitOf));
  const listed = LAYERS.flat();
  assert.deepEqual(
    [...units].filter((u) => !layerOf.has(u)),
    [],
    'add these to LAYERS',
  );
  assert.deepEqual(
    listed.filter((u) => !units.has(u)),
    [],
    'these are in LAYERS but not in src',
  );
  assert.equal(new Set(listed).size, listed.length, 'a unit is listed twice');
});

test('every relative import names a file of src', () => {
  const missing = [...graph].flatMap(([file, targets]) =>
    targets.filter((t) => !graph.has(t)).map((t) => `${file} -> ${t}`),
  );
  assert.deepEqual(missing, []);
});

test('no import runs upward or sideways between layers', () => {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    const from = unitOf(file);
    for (const target of targets) {
      const to = unitOf(target);
      if (to === from) continue;
      const [a, b] = [layerOf.get(from) ?? -1, layerOf.get(to) ?? -1];
      if (b > a) wrong.push(`${file} imports ${target}: ${to} is above ${from}`);
      else if (b === a) wrong.push(`${file} imports ${target}: ${to} and ${from} are in the same layer`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no file imports itself through a chain of imports', () => {
  // Depth-first search; a file met again while still on the path closes a cycle.
  const done = new Set<string>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      cycles.push([...path.slice(at), file].join(' -> '));
      return;
    }
    if (done.has(file)) return;
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    done.add(file);
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, []);
});
