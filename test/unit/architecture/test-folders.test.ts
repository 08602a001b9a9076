import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../../../src');
const UNIT = resolve(import.meta.dirname, '..');

/**
 * The folders of `test/unit/` that test something outside `src/`, and what
 * each tests. Every other folder is named after the folder of `src/` whose
 * code its tests exercise, so a reader finds a file's tests at the same path
 * (tests of the files at the top of `src/` sit at the top of `test/unit/`).
 */
const NON_SRC_AREAS: ReadonlyMap<string, string> = new Map([
  ['architecture', 'rules about the shape of src/ and test/ (this file, the import layers)'],
  ['bench', 'the benchmark tools under tools/bench/'],
  ['example-app', 'the example application under deploy/examples/'],
  ['helm', 'the Helm chart, rendered (tools/helm/)'],
  ['image', 'the container image: the Dockerfile'],
]);

const foldersOf = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

test('every folder of test/unit mirrors a folder of src, or is a documented area outside src', () => {
  const srcFolders = new Set(foldersOf(SRC));
  const stray = foldersOf(UNIT).filter((folder) => !srcFolders.has(folder) && !NON_SRC_AREAS.has(folder));
  assert.deepEqual(stray, [], 'move these tests beside their source folder, or add the area to NON_SRC_AREAS');
});

test('no documented area outside src shares its name with a folder of src', () => {
  const srcFolders = new Set(foldersOf(SRC));
  assert.deepEqual(
    [...NON_SRC_AREAS.keys()].filter((area) => srcFolders.has(area)),
    [],
  );
});
