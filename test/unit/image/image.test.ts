import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The Dockerfile's instructions, continuation lines joined. */
async function instructions(): Promise<string[]> {
  const text = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

test('Dockerfile: multi-stage, Node 24, a numeric non-root user, OCI labels, the CLI as entrypoint', async () => {
  const lines = await instructions();
  const stages = lines.filter((l) => l.startsWith('FROM '));
  assert.ok(stages.length >= 2, 'multi-stage');
  assert.match(lines.join('\n'), /NODE_IMAGE=node:24-/);
  assert.match(lines.join('\n'), /RUNTIME_IMAGE=\S*nodejs24/);
  const finalStage = lines.slice(lines.lastIndexOf(stages.at(-1) ?? ''));
  const user = finalStage.find((l) => l.startsWith('USER '));
  assert.match(user ?? '', /^USER [1-9]\d*:[1-9]\d*$/, 'a numeric user other than root, so runAsNonRoot can check it');
  for (const label of ['title', 'description', 'version', 'licenses', 'source'])
    assert.ok(
      finalStage.some((l) => l.includes(`org.opencontainers.image.${label}=`)),
      label,
    );
  assert.deepEqual(
    finalStage.find((l) => l.startsWith('ENTRYPOINT ')),
    'ENTRYPOINT ["/nodejs/bin/node", "--lite-mode", "/app/dist/cli.js"]',
  );
  assert.ok(
    finalStage.some((l) => /npm ci --omit=dev/.test(l)) || lines.some((l) => /npm ci --omit=dev/.test(l)),
    'production dependencies only',
  );
  assert.equal(
    finalStage.some((l) => l.startsWith('RUN ')),
    false,
    'the runtime stage runs nothing: distroless has no shell',
  );
});
