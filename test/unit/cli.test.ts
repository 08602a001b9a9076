import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const cli = path.join(import.meta.dirname, '..', '..', 'src', 'cli.ts');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/nonexistent' },
  });

test('a bad flag value exits at once with status 2 and a message naming the flag', () => {
  const result = run('run', '--debounce=soon');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--debounce/);
  assert.match(result.stderr, /soon/);
});

test('an unknown flag is refused by name', () => {
  const result = run('run', '--reload-everything');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--reload-everything/);
});

test('an unknown command prints the usage and exits 2', () => {
  const result = run('frobnicate');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /usage: mini-reloader run/);
});

test('run --help lists the flags', () => {
  const result = run('run', '--help');
  assert.equal(result.status, 0);
  assert.match(result.stdout, /--namespaces/);
  assert.match(result.stdout, /--dry-run/);
});

test('what is ignored with a warning, as in Stakater, is logged before anything else happens', () => {
  const result = run('run', '--namespaces=a', '--namespace-selector="team=x"');
  const first = JSON.parse(result.stdout.split('\n')[0] ?? '') as { level: number; msg: string };
  assert.equal(first.level, 40);
  assert.match(first.msg, /--namespace-selector "team=x" is ignored/);
  assert.match(result.stderr, /kubeconfig/, 'and then it carries on, here to the missing kubeconfig');
});

test('explain: a bad argument exits 2 with a message naming it, before any cluster access', () => {
  const result = run('explain', 'pods/web');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /"pods" is not a type explain knows/);
  const flag = run('explain', 'deployment/web', '--auto-reload-al');
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /--auto-reload-al/);
});

test('explain --help shows its usage', () => {
  const result = run('explain', '--help');
  assert.equal(result.status, 0);
  assert.match(result.stdout, /usage: mini-reloader explain TYPE\/NAME/);
});

test('the package installs kubectl-reloader, the same CLI, so kubectl finds it as the plugin "reloader"', async () => {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  assert.equal(pkg.bin['kubectl-reloader'], pkg.bin['mini-reloader']);
});
