import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_FLAGS } from '../../../src/options/flags.ts';
import { formatHelp } from '../../../src/options/help.ts';

test('--help lists every flag and alias in RUN_FLAGS with its default and environment variable', () => {
  const help = formatHelp();
  for (const f of RUN_FLAGS) {
    for (const name of [f.flag, ...f.aliases]) assert.match(help, new RegExp(`--${name}(\\s|$|,)`), `--${name}`);
    if (f.env !== undefined) assert.ok(help.includes(`env ${f.env}`), f.env);
    if (f.default !== undefined && f.default !== '')
      assert.ok(help.replace(/\s+/g, ' ').includes(`default ${f.default}`), `default of --${f.flag}`);
    if (f.stakaterDefault !== undefined)
      assert.ok(help.includes(`--stakater-defaults: ${f.stakaterDefault}`), `Stakater's default of --${f.flag}`);
    if (f.stringSwitch) assert.ok(help.includes(`--${f.flag} [true|false]`), `--${f.flag} takes its value apart`);
  }
});
