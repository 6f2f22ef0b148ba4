/** Test client: real fetch against the local tracker, every request and response checked against the schema. */
import { expect } from 'vitest';
import type { LocalTracker } from '../../src/local-tracker';
import { queryObject, validateRequest, validateResponse } from '../helpers/openapi';

export interface Call {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON fields
  body: any;
  headers: Headers;
}

export async function call(
  t: LocalTracker,
  method: string,
  path: string,
  opts: { query?: Record<string, string | number | (string | number)[]>; body?: unknown; token?: string | null; validate?: boolean } = {},
): Promise<Call> {
  const url = new URL(`${t.url}/api/0/organizations/${t.org}/${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  const validate = opts.validate ?? true;
  if (validate) expect(validateRequest(method, url.pathname, queryObject(url.searchParams), opts.body)).toEqual([]);
  const token = opts.token === undefined ? t.token : opts.token;
  const res = await fetch(url, {
    method,
    headers: {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = JSON.parse(await res.text());
  // Error answers are Sentry's {detail} bodies; the schema documents most of them without a body.
  if (validate && res.status < 400) expect(validateResponse(method, url.pathname, res.status, body)).toEqual([]);
  return { status: res.status, body, headers: res.headers };
}

/** A manual clock for tests: `clock.now` for the server, `clock.advance(ms)` to move time. */
export function manualClock(start = Date.parse('2026-06-03T02:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
}

export const MIN = 60_000;
