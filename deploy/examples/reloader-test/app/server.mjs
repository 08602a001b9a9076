// A demo page for mini-reloader: it shows the ConfigMap and Secret values this
// pod was started with, its name and start time, so a reload is visible as a
// new pod name, a later start time and the new values.
//
// Plain JavaScript with node: built-ins only, so it runs in the stock
// node:24-alpine image with this file mounted from a ConfigMap: no image to
// build, no dependencies to install.
import http from 'node:http';
import os from 'node:os';
import process from 'node:process';

// Environment variables are fixed for the life of a process: that is exactly
// why a ConfigMap edit needs a rollout before the page changes, so read them
// once at start-up.
const env = process.env;
const startedAt = new Date().toISOString();
const podName = env.POD_NAME || os.hostname();
const showSecrets = env.SHOW_SECRETS === 'true';

const configKeys = ['APP_TITLE', 'APP_COLOR', 'SITE_NAME'];
const secretKeys = ['APP_NAME', 'ENV', 'VERSION', 'MESSAGE'];

const DEFAULT_COLOR = '#2f6f9f';

/**
 * The colour goes into a style sheet, where escaping HTML would not stop a
 * `;` or `}` from adding rules of its own: allow only what can't break out.
 * A word that is no CSS colour name is harmless here, and the browser drops
 * it and keeps the default declared before it (see page()).
 * @param {string | undefined} value
 * @returns {string}
 */
function accentColor(value) {
  const v = (value ?? '').trim();
  return /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(v) || /^[a-z]{3,30}$/i.test(v) ? v : DEFAULT_COLOR;
}

/**
 * @param {string} text
 * @returns {string}
 */
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * @param {string} key
 * @param {string | undefined} value
 * @param {boolean} secret
 * @returns {string}
 */
function row(key, value, secret) {
  let shown;
  if (value === undefined) shown = '<em>(not set)</em>';
  // The length tells the value is there, and nothing of what it is.
  else if (secret && !showSecrets) shown = `•••••• <small>(${value.length} chars)</small>`;
  else shown = escapeHtml(value);
  return `<tr><th>${key}</th><td id="${key}" data-testid="${key}">${shown}</td></tr>`;
}

function page() {
  const accent = accentColor(env.APP_COLOR);
  const title = escapeHtml(env.APP_TITLE ?? 'reloader-test');
  // Two declarations on purpose: an unknown colour name makes the browser
  // ignore the second, and the default stays.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { margin: 0; min-height: 100vh; font: 16px/1.5 system-ui, sans-serif; display: grid; place-items: center;
  background-color: ${DEFAULT_COLOR}; background-color: ${accent}; }
main { background: #fff; border-radius: 12px; padding: 1.5rem 2rem; box-shadow: 0 4px 24px #0004; min-width: 22rem; }
th { text-align: left; padding-right: 1.5rem; font-weight: 600; }
td { font-family: ui-monospace, monospace; }
h2 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
</style>
</head>
<body data-testid="accent">
<main>
<h1 id="title" data-testid="title">${title}</h1>
<table>
<tr><th>Pod</th><td id="POD_NAME" data-testid="POD_NAME">${escapeHtml(podName)}</td></tr>
<tr><th>Started</th><td><time id="STARTED_AT" data-testid="STARTED_AT" datetime="${startedAt}">${startedAt}</time></td></tr>
</table>
<h2>ConfigMap test-app-config</h2>
<table>${configKeys.map((k) => row(k, env[k], false)).join('')}</table>
<h2>Secret test-app-secret${showSecrets ? '' : ' (masked)'}</h2>
<table>${secretKeys.map((k) => row(k, env[k], true)).join('')}</table>
</main>
</body>
</html>
`;
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
  } else if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (path === '/') {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // Each refresh must show whichever pod answers now, not a cached one.
      'cache-control': 'no-store',
      // Should a value ever slip past escaping, no script or remote load runs.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    }).end(req.method === 'HEAD' ? undefined : page());
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
});

server.listen(Number(env.PORT || 8000), () => {
  const address = server.address();
  // One JSON line, so a test that asked for port 0 can learn the real one.
  const port = typeof address === 'object' && address ? address.port : null;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port, pod: podName })}\n`);
});

// As PID 1 in a container, Node gets no default handler for SIGTERM and the
// kubelet would wait out the grace period before killing it. Closing the
// server (which also drops idle keep-alive connections) lets requests in
// flight finish, then the process exits on its own.
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => { server.close(); });
