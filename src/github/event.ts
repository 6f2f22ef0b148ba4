const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ZEROS = /^0+$/;

/**
 * The commit a push event moved the branch from: the natural base for the
 * commits of this release. Null when the payload is not a push, or when the
 * push created the branch (GitHub then sends all zeros).
 */
export function pushBefore(eventPayload: unknown): string | null {
  if (eventPayload === null || typeof eventPayload !== 'object') return null;
  const before = (eventPayload as { before?: unknown }).before;
  if (typeof before !== 'string' || !SHA.test(before) || ZEROS.test(before)) return null;
  return before;
}
