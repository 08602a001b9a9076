import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TokenFileCredentials } from '../../../src/kube/token-file.ts';

test('a token file is re-read once the token is older than the period, and a failed re-read keeps the last good token', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'token-file-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'token');
  let now = 1_000_000;
  const credentials = new TokenFileCredentials(file, 60_000, () => now);

  await assert.rejects(credentials.headers(), /cannot read token file/);
  writeFileSync(file, 'first\n');
  assert.deepEqual(await credentials.headers(), { Authorization: 'Bearer first' });

  writeFileSync(file, 'second');
  now += 59_999;
  assert.deepEqual(await credentials.headers(), { Authorization: 'Bearer first' }, 'not re-read within the period');
  now += 1;
  assert.deepEqual(await credentials.headers(), { Authorization: 'Bearer second' }, 're-read after the period');

  unlinkSync(file);
  now += 60_000;
  assert.deepEqual(
    await credentials.headers(),
    { Authorization: 'Bearer second' },
    'a vanished file keeps the last token',
  );
  writeFileSync(file, '  \n');
  assert.deepEqual(
    await credentials.headers(),
    { Authorization: 'Bearer second' },
    'an empty file keeps the last token',
  );
  writeFileSync(file, 'third');
  assert.deepEqual(
    await credentials.headers(),
    { Authorization: 'Bearer third' },
    'the next good read is taken at once',
  );
});
