import { ApiError, isGone } from './api-error.ts';
import type { ParsedJson } from './json-bytes.ts';
import { isKubeObject } from './kube-object.ts';
import { ListItemScanner, type ListEnvelope } from './list-items.ts';
import type { ReflectorContext } from './reflector-context.ts';

interface ListPage {
  readonly resourceVersion: string;
  readonly continueToken: string | undefined;
}

/**
 * Delivers one full list by paginated LIST (`limit`, `continue`); 'expired'
 * when a continue token expired part-way. Each page is read as it streams in
 * and each item upserted on its own.
 */
export async function listPages(
  ctx: ReflectorContext,
  pageSize: number,
  signal: AbortSignal,
): Promise<{ readonly resourceVersion: string } | 'expired'> {
  ctx.call(() => {
    ctx.handlers.listStarted();
  });
  let continueToken: string | undefined;
  for (;;) {
    let body: AsyncIterable<Uint8Array>;
    try {
      body = await ctx.client.stream({
        method: 'GET',
        path: ctx.path,
        query: {
          limit: pageSize,
          continue: continueToken,
          labelSelector: ctx.target.labelSelector,
          fieldSelector: ctx.target.fieldSelector,
        },
        signal,
        sensitive: ctx.target.sensitive === true,
      });
    } catch (err) {
      if (continueToken !== undefined && isGone(err)) return 'expired';
      throw err;
    }
    const page = await readPage(ctx, body);
    if (page.continueToken === undefined) {
      ctx.call(() => {
        ctx.handlers.listFinished();
      });
      ctx.markSynced();
      return { resourceVersion: page.resourceVersion };
    }
    continueToken = page.continueToken;
  }
}

/** Upserts a page's items as they stream in. */
async function readPage(ctx: ReflectorContext, body: AsyncIterable<Uint8Array>): Promise<ListPage> {
  const scanner = new ListItemScanner();
  try {
    for await (const chunk of body) onListChunk(ctx, scanner, chunk);
  } catch (err) {
    // Our own scanner's and the transport's messages never quote the body.
    throw new ApiError({
      method: 'GET',
      path: ctx.path,
      statusCode: 0,
      detail: `reading the list failed: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  }
  return listPageOf(scanner.end(), ctx.path);
}

function onListChunk(ctx: ReflectorContext, scanner: ListItemScanner, chunk: Uint8Array): void {
  try {
    scanner.push(chunk, (item) => {
      onListItem(ctx, item);
    });
  } finally {
    if (ctx.target.sensitive === true) chunk.fill(0);
  }
}

function onListItem(ctx: ReflectorContext, item: ParsedJson): void {
  if (!item.ok)
    ctx.report(new Error(`LIST ${ctx.path}: skipped an item that is not JSON (${item.length} characters)`), 'list');
  else if (isKubeObject(item.value)) {
    const object = item.value;
    ctx.call(() => {
      ctx.handlers.upsert(object);
    });
  } else ctx.report(new Error(`LIST ${ctx.path}: skipped an item without metadata.name`), 'list');
}

function listPageOf(envelope: ListEnvelope, path: string): ListPage {
  const { metadata } = envelope;
  const meta = (
    metadata?.ok === true && typeof metadata.value === 'object' && metadata.value !== null ? metadata.value : {}
  ) as { resourceVersion?: unknown; continue?: unknown };
  if (typeof meta.resourceVersion !== 'string' || meta.resourceVersion === '')
    throw new Error(`LIST ${path}: response has no metadata.resourceVersion`);
  return {
    resourceVersion: meta.resourceVersion,
    continueToken: typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined,
  };
}
