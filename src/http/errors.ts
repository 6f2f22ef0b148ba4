/** A response with an unexpected status. `body` is already redacted and shortened. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
    readonly body: string,
  ) {
    super(message);
  }
}

/** A 2xx whose body is not the JSON we expect (HTML error page, truncated, missing fields). */
export class ResponseShapeError extends Error {
  override name = 'ResponseShapeError';
}

/** A 2xx whose body does not parse as JSON (an HTML page, a cut-off body). */
export class NotJsonError extends ResponseShapeError {
  override name = 'NotJsonError';
}

/** An answer longer than the client reads: broken or hostile, treated like an outage. */
export class ResponseTooLargeError extends ResponseShapeError {
  override name = 'ResponseTooLargeError';
}

/** 429 or a reset header: wait `waitMs` before the next try. */
export class RateLimitedError extends HttpError {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    status: number,
    path: string,
    body: string,
    readonly waitMs: number,
  ) {
    super(message, status, path, body);
  }
}

/** The tracker could not be reached or did not answer in time. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/**
 * The client's first request never reached the tracker: the name did not
 * resolve, the connection was refused, TLS failed, or the server redirected it elsewhere (an API
 * never does: http:// for https://, a login page, another host), or it
 * answered with pages, not JSON, however often asked (a web app's fallback page). Before any answer that is a wrong `sentry-url` or
 * token, not an outage, and retrying cannot fix it.
 */
export class UnreachableError extends NetworkError {
  override name = 'UnreachableError';
  constructor(
    message: string,
    readonly reason: 'connect' | 'redirect' | 'not-api',
  ) {
    super(message);
  }
}

// Errors that mean a request never reached a server: DNS, refused, unroutable, TLS.
const NEVER_SENT_CODES =
  /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_.*|CERT_.*|.*_CERT_.*|UNABLE_TO_.*|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;

/** Whether a Node or undici error code says the request never left for a server. */
export const neverSentCode = (code: unknown): boolean => typeof code === 'string' && NEVER_SENT_CODES.test(code);
