/**
 * The V8 flags the controller runs with: `--lite-mode` turns the optimizing
 * compilers off and keeps the young generation small. Measured side by side
 * (README "Performance"), it takes 20–50 MiB off the steady RSS, more than
 * half of what is ours beyond bare Node, for little CPU: the heavy work
 * (JSON parsing, hashing, TLS) is native code either way.
 *
 * V8 reads these flags only at start (v8.setFlagsFromString comes too late,
 * and NODE_OPTIONS refuses --lite-mode), so a process started without any
 * Node option replaces itself, same pid, with one started with them. Any
 * option on Node's own command line (`node --no-lite-mode dist/cli.js`)
 * means whoever started it chose: it runs as started (the image passes
 * --lite-mode itself, so Node starts once). The entry point calls this
 * before it imports anything else (cli.ts).
 *
 * --lite-mode also turns WebAssembly off, which Node's type stripping and its
 * `fetch` need: the TypeScript sources (`node src/cli.ts`) run without it,
 * and a kubeconfig `oidc` auth-provider, whose refresh uses `fetch`, is
 * refused at start (see client-node-credentials.ts).
 */
const V8_FLAGS: readonly string[] = ['--lite-mode'];

export function relaunchWithV8Flags(): void {
  const entry = process.argv[1] ?? '';
  // Only the long-running controller gains from it; explain and migrate-values start once and exit.
  if (
    process.argv[2] !== 'run' ||
    !entry.endsWith('.js') ||
    process.execArgv.length > 0 ||
    process.platform === 'win32' ||
    process.execve === undefined
  )
    return;
  process.execve(process.execPath, [process.execPath, ...V8_FLAGS, ...process.argv.slice(1)], process.env);
}
