import type * as NodeFs from 'node:fs';

/**
 * Node's `node:fs`, taken with `process.getBuiltinModule` rather than an
 * `import`, as `http/node-http.ts` takes `node:http`: an ESM import reads
 * every export, and node:fs's `promises`, `Utf8Stream` and stream getters
 * load fs/promises (which brings readline and the REPL's history) and the
 * file streams, 1.25 MiB of resident memory that nothing here uses.
 */
export const nodeFs: typeof NodeFs = process.getBuiltinModule('node:fs');

/** A file's text, read in the background without `node:fs/promises`, whose loading alone costs 1 MiB of resident memory. */
export function readTextFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    nodeFs.readFile(path, 'utf8', (err, text) => {
      if (err === null) resolve(text);
      else reject(err);
    });
  });
}
