/**
 * A failed Kubernetes API call.
 *
 * `statusCode` is the HTTP status, or the `code` of a watch ERROR event, or 0
 * when no usable response arrived: the connection failed, or a 2xx body was
 * not valid JSON. `reason` is the Kubernetes Status reason (`NotFound`,
 * `Conflict`, `Expired`, …) when the server sent a Status.
 *
 * The message names the method, path, status and the Status message. A
 * response body that is not a Status is quoted (truncated) only for requests
 * that are not `sensitive`; a sensitive request's error never carries any part
 * of the body other than the Status message and reason.
 */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly reason: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(init: {
    method: string;
    path: string;
    statusCode: number;
    reason?: string | undefined;
    detail?: string | undefined;
    cause?: unknown;
  }) {
    const status =
      init.statusCode === 0 ? 'no response' : `${init.statusCode}${init.reason === undefined ? '' : ` ${init.reason}`}`;
    const detail = init.detail === undefined || init.detail === '' ? '' : `: ${init.detail}`;
    super(
      `${init.method} ${init.path} failed (${status})${detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = 'ApiError';
    this.statusCode = init.statusCode;
    this.reason = init.reason;
    this.method = init.method;
    this.path = init.path;
  }
}

/** The status code of an ApiError; undefined for anything else. */
export function statusCodeOf(err: unknown): number | undefined {
  return err instanceof ApiError ? err.statusCode : undefined;
}

/** 410: a resourceVersion or continue token too old to serve; relist. */
export function isGone(err: unknown): boolean {
  return statusCodeOf(err) === 410;
}

/** 409: a write based on a stale resourceVersion, or a create of an existing name. */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

/** 403: this identity may not do that; the Status message names the identity, the verb and the resource. */
export function isForbidden(err: unknown): boolean {
  return statusCodeOf(err) === 403;
}

export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

const snippetLength = 300;

/**
 * Builds the error for a non-2xx response from its body text. The body is
 * read as a Kubernetes Status when it is one; otherwise it is quoted only for
 * non-sensitive requests.
 */
export function apiErrorFromResponse(
  method: string,
  path: string,
  statusCode: number,
  bodyText: string,
  sensitive: boolean,
): ApiError {
  const status = parseStatus(bodyText);
  if (status !== undefined) {
    return new ApiError({ method, path, statusCode, reason: status.reason, detail: status.message });
  }
  const snippet = sensitive ? undefined : truncate(bodyText.trim(), snippetLength);
  return new ApiError({ method, path, statusCode, detail: snippet });
}

/**
 * The error for a watch ERROR event, whose object is (normally) a Status.
 * Nothing but its code, reason and message is kept.
 */
export function apiErrorFromStatusObject(method: string, path: string, object: unknown): ApiError {
  const status = asStatus(object);
  return new ApiError({
    method,
    path,
    statusCode: status?.code ?? 0,
    reason: status?.reason,
    detail: status?.message ?? 'watch ERROR event without a Status',
  });
}

interface StatusFields {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly message: string | undefined;
}

function parseStatus(text: string): StatusFields | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return asStatus(parsed);
}

function asStatus(value: unknown): StatusFields | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.kind !== 'Status') return undefined;
  return {
    code: typeof v.code === 'number' ? v.code : undefined,
    reason: typeof v.reason === 'string' && v.reason !== '' ? v.reason : undefined,
    message: typeof v.message === 'string' ? truncate(v.message, 1000) : undefined,
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
