// The example app's page (deploy/examples/reloader-test/app/server.mjs), seen
// through a real browser: what a user port-forwarding to the demo would see.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test, type TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const server = path.join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'deploy',
  'examples',
  'reloader-test',
  'app',
  'server.mjs',
);

const config = { APP_TITLE: 'Reloader demo', APP_COLOR: '#336699', SITE_NAME: 'demo.example.test' };
// Distinctive, so that finding one anywhere in the page can only be a leak.
const secrets = {
  APP_NAME: 'secret-app-name-7f3a',
  ENV: 'secret-env-91c2',
  VERSION: 'secret-version-4d8e',
  MESSAGE: 'secret message <b>5e0b</b>',
};
const DEFAULT_BACKGROUND = 'rgb(47, 111, 159)'; // #2f6f9f

const children = new Set<ChildProcess>();

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Starts the server on a free port with exactly this environment. */
async function startApp(t: TestContext, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [server], { env: { PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  t.after(async () => {
    await stop(child);
    children.delete(child);
  });
  // Promise.race handles whichever of the two settles last.
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`server.mjs exited (${String(code)}) before it listened`);
  });
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      const message = JSON.parse(line) as { msg?: string; port?: number };
      if (message.msg === 'listening' && message.port) return `http://127.0.0.1:${message.port}/`;
    }
    throw new Error('server.mjs closed its stdout before it listened');
  })();
  return { url: await Promise.race([listening, exited]), child };
}

let browser: Browser | undefined;
let launched: Promise<BrowserContext> | undefined;

/** Launched by the first test that needs it, so that without Chromium each of them fails with this message. */
function browserContext(): Promise<BrowserContext> {
  launched ??= (async () => {
    // Never a skip: a browser test that quietly does not run guards nothing.
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: run \`apt-get install -y chromium\` (or \`bash tools/browser/ensure-chromium.sh\`)`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    // One context for all pages: a new one per page costs the better part of a second.
    return browser.newContext();
  })();
  return launched;
}

async function open(t: TestContext, env: Record<string, string>): Promise<{ page: Page; html: string }> {
  const context = await browserContext();
  const { url } = await startApp(t, env);
  const page = await context.newPage();
  t.after(() => page.close());
  const response = await page.goto(url);
  assert.ok(response);
  assert.equal(response.status(), 200);
  return { page, html: await response.text() };
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.trim();
const background = (page: Page) => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');

describe('example app page, in headless Chromium', { timeout: 60_000 }, () => {
  after(async () => {
    await Promise.all([...children].map(stop));
    await browser?.close();
  });

  test('shows the ConfigMap values, pod name and start time, in the accent colour, with Secrets masked', async (t) => {
    const startedAfter = Date.now();
    const { page, html } = await open(t, { ...config, ...secrets, POD_NAME: 'test-app-5d9c7-x2k4p' });

    for (const [key, value] of Object.entries(config)) assert.equal(await text(page, key), value, key);
    assert.equal(await text(page, 'title'), config.APP_TITLE);
    assert.equal(await page.title(), config.APP_TITLE);
    assert.equal(await text(page, 'POD_NAME'), 'test-app-5d9c7-x2k4p');

    const startedAt = await page.getByTestId('STARTED_AT').getAttribute('datetime');
    assert.ok(startedAt);
    assert.equal(await text(page, 'STARTED_AT'), startedAt);
    assert.equal(new Date(startedAt).toISOString(), startedAt, 'an ISO timestamp');
    const started = Date.parse(startedAt);
    assert.ok(started >= startedAfter - 1000 && started <= Date.now(), `${startedAt} is when this server started`);

    assert.equal(await background(page), 'rgb(51, 102, 153)');

    for (const [key, value] of Object.entries(secrets)) {
      assert.equal(await text(page, key), `•••••• (${value.length} chars)`, key);
    }
    const dom = await page.content();
    for (const value of Object.values(secrets)) {
      for (const form of [
        value,
        value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
        value.replace(/<[^>]*>/g, ''),
      ]) {
        assert.ok(!html.includes(form), `the page's HTML holds a Secret value: ${form}`);
        assert.ok(!dom.includes(form), `the page's DOM holds a Secret value: ${form}`);
      }
    }
  });

  test('with SHOW_SECRETS=true the Secret values are shown, as text', async (t) => {
    const { page } = await open(t, { ...config, ...secrets, SHOW_SECRETS: 'true' });
    for (const [key, value] of Object.entries(secrets)) assert.equal(await text(page, key), value, key);
    assert.equal(await page.locator('b').count(), 0, 'markup in a value is not markup on the page');
  });

  test('markup in a value is shown as text and cannot run or restyle the page', async (t) => {
    const title = `<script>window.injected = 1</script><img src=x onerror="window.injected = 2">"'&amp;`;
    const color = 'red; } body { background-color: lime';
    const { page } = await open(t, { APP_TITLE: title, APP_COLOR: color, SITE_NAME: '</td></tr></table><h1>x</h1>' });

    assert.equal(await text(page, 'APP_TITLE'), title);
    assert.equal(await text(page, 'title'), title);
    assert.equal(await page.title(), title);
    assert.equal(await text(page, 'APP_COLOR'), color);
    assert.equal(await text(page, 'SITE_NAME'), '</td></tr></table><h1>x</h1>');
    assert.equal(await page.locator('script, img').count(), 0);
    assert.equal(await page.locator('h1').count(), 1);
    assert.equal(await page.evaluate<unknown>('window.injected'), undefined);
    assert.equal(await background(page), DEFAULT_BACKGROUND, 'an invalid APP_COLOR falls back to the default');
  });

  test('a colour name is applied; an unknown name falls back; no POD_NAME means the host name; unset values say so', async (t) => {
    const named = await open(t, { APP_COLOR: 'tomato' });
    assert.equal(await background(named.page), 'rgb(255, 99, 71)');
    assert.equal(await text(named.page, 'POD_NAME'), os.hostname());
    for (const key of [...Object.keys(config).filter((k) => k !== 'APP_COLOR'), ...Object.keys(secrets)]) {
      assert.equal(await text(named.page, key), '(not set)', key);
    }

    const unknown = await open(t, { APP_COLOR: 'notacolour' });
    assert.equal(await background(unknown.page), DEFAULT_BACKGROUND);
    const shortHex = await open(t, { APP_COLOR: '#0f0' });
    assert.equal(await background(shortHex.page), 'rgb(0, 255, 0)');
  });

  test('/healthz answers 200 "ok"; SIGTERM stops the server at once', async (t) => {
    const { url, child } = await startApp(t, {});
    const res = await fetch(new URL('/healthz', url));
    assert.equal(res.status, 200);
    assert.equal((await res.text()).trim(), 'ok');

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
  });
});
