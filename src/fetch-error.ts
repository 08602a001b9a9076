/**
 * What went wrong in an undici fetch, in one line. undici reports "fetch
 * failed" and puts what happened (ECONNREFUSED, a TLS error) in the cause.
 */
export function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timed out';
  const cause: unknown = err.cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
