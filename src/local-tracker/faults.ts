/**
 * Fault injection: each request is checked against the faults in the order they were added; the
 * first match applies and uses up one of its `times`.
 */
export interface Fault {
  /** Matches the request path (without the query): a RegExp, or a substring. Default: all. */
  path?: RegExp | string;
  /** Default: any method. */
  method?: string;
  /** How many requests it applies to. Default 1; `Infinity` for a permanent fault. */
  times?: number;
  /** Answer with this status instead of the real handler. */
  status?: number;
  headers?: Record<string, string>;
  /** Raw response body. Default: a Sentry-style `{"detail": ...}` for the status. */
  body?: string;
  /** Wait before answering (combined with the others, or alone to slow the real answer). */
  delayMs?: number;
  /** Destroy the socket without an answer. */
  reset?: boolean;
  /** Send the real answer's headers and only the first half of its body, then cut the connection. */
  truncate?: boolean;
  /** Never answer (until the server closes). */
  hang?: boolean;
  /** Answer with an error body that contains the request's bearer token (to test redaction). */
  echoToken?: boolean;
}

export interface Faults {
  add(fault: Fault): void;
  clear(): void;
  /** Faults still pending (times > 0). */
  readonly list: readonly Fault[];
}

export class FaultList implements Faults {
  private faults: { fault: Fault; left: number }[] = [];

  add(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  get list(): readonly Fault[] {
    return this.faults.filter((f) => f.left > 0).map((f) => f.fault);
  }

  /** The fault for this request, consuming one use, or undefined. */
  take(method: string, path: string): Fault | undefined {
    for (const f of this.faults) {
      if (f.left <= 0) continue;
      const { fault } = f;
      if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (fault.path !== undefined) {
        const ok = typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path);
        if (!ok) continue;
      }
      f.left -= 1;
      return fault;
    }
    return undefined;
  }
}

const DETAILS: Record<number, string> = {
  400: 'Bad request',
  401: 'Invalid token',
  403: 'You do not have permission to perform this action.',
  404: 'The requested resource does not exist',
  429: 'You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds',
  500: 'Internal Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Default body and headers of a status-only fault, like Sentry's (see README: rate limits). */
export function faultResponse(status: number, realNowMs: number): { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (status === 429) {
    // Reset is real epoch seconds: the client waits in real time whatever the simulated clock says.
    headers['X-Sentry-Rate-Limit-Limit'] = '40';
    headers['X-Sentry-Rate-Limit-Remaining'] = '0';
    headers['X-Sentry-Rate-Limit-Reset'] = String(Math.ceil(realNowMs / 1000) + 1);
    headers['X-Sentry-Rate-Limit-ConcurrentLimit'] = '25';
    headers['X-Sentry-Rate-Limit-ConcurrentRemaining'] = '24';
  }
  return { body: JSON.stringify({ detail: DETAILS[status] ?? `Error ${status}` }), headers };
}
