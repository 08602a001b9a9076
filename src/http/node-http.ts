import type * as NodeHttp from 'node:http';

/**
 * Node's `node:http`, taken with `process.getBuiltinModule` rather than an
 * `import`. An ESM import of a built-in reads every one of its exports, and
 * reading node:http's `WebSocket`, `CloseEvent` and `MessageEvent` loads the
 * copy of undici bundled in Node: about 9 MiB of resident memory (75 more
 * internal modules) that nothing here uses. Types still come from
 * `import type`, which is erased.
 */
export const nodeHttp: typeof NodeHttp = process.getBuiltinModule('node:http');
