import type { LoggedRequest } from './server';

/**
 * Sessions requests per poll, in poll order: a poll's requests all ask up to
 * the same `end`. How tests and the benchmark count what the gate costs.
 */
export function sessionRequestsByPoll(requests: readonly LoggedRequest[]): number[] {
  const byEnd = new Map<unknown, number>();
  for (const r of requests) if (r.path.endsWith('/sessions/')) byEnd.set(r.query.end, (byEnd.get(r.query.end) ?? 0) + 1);
  return [...byEnd.values()];
}
