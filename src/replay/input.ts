import * as z from 'zod';
import type { RecordedSample } from './replay';
import { errorMessage } from '../util/errors';

const count = z.number().int().nonnegative();

const sampleSchema = z
  .object({
    t: z.number().nonnegative(),
    sessions: count,
    crashedSessions: count,
    // Only the error-rate check needs it, so recordings of crash data alone are accepted.
    erroredSessions: count.optional(),
    users: count,
    crashedUsers: count,
    // Users with an unhealthy session: the error-rate check judges these when present (see testedTrials).
    erroredUsers: count.optional(),
  })
  .refine((s) => s.crashedSessions <= s.sessions, { message: 'crashedSessions must not exceed sessions' })
  .refine((s) => s.erroredSessions === undefined || s.erroredSessions <= s.sessions, { message: 'erroredSessions must not exceed sessions' })
  .refine((s) => s.crashedUsers <= s.users, { message: 'crashedUsers must not exceed users' })
  .refine((s) => s.erroredUsers === undefined || s.erroredUsers <= s.users, { message: 'erroredUsers must not exceed users' });

const releaseSchema = z.object({
  id: z.string().min(1),
  samples: z.array(sampleSchema),
  // Users counted over the window's second half (a difference of cumulative users would miss returning ones).
  secondHalf: z
    .object({ users: count, crashedUsers: count })
    .refine((h) => h.crashedUsers <= h.users, { message: 'crashedUsers must not exceed users' })
    .optional(),
});

export interface RecordedRelease {
  id: string;
  samples: RecordedSample[];
  secondHalf?: { users: number; crashedUsers: number };
}

export class ReplayInputError extends Error {
  override name = 'ReplayInputError';
}

const COUNTS = ['sessions', 'crashedSessions', 'erroredSessions', 'users', 'crashedUsers'] as const;

function where(path: readonly PropertyKey[]): string {
  return path.length
    ? path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '')
    : 'the line';
}

/**
 * One line of a replay file: a release with cumulative samples since the
 * deploy. Throws a ReplayInputError naming the line, the field and what is
 * wrong. `needErrored` (the error-rate check is on) makes erroredSessions required.
 */
export function parseReleaseLine(text: string, line: number, needErrored = false): RecordedRelease {
  const fail = (what: string): never => {
    throw new ReplayInputError(`line ${line}: ${what}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${errorMessage(error)})`);
  }
  const parsed = releaseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(`${where(issue.path)}: ${issue.message}`);
  }
  const { id, samples, secondHalf } = parsed.data;
  const out: RecordedSample[] = [];
  for (const [i, s] of samples.entries()) {
    if (s.erroredSessions === undefined && needErrored) fail(`samples[${i}].erroredSessions: required by --max-error-rate`);
    const sample: RecordedSample = { ...s, erroredSessions: s.erroredSessions ?? 0 };
    const prev = out[i - 1];
    if (prev) {
      if (sample.t < prev.t) fail(`samples[${i}].t: samples must be in time order (${sample.t} after ${prev.t})`);
      const shrunk = COUNTS.find((c) => sample[c] < prev[c] && !(c === 'erroredSessions' && s.erroredSessions === undefined));
      if (shrunk) fail(`samples[${i}].${shrunk}: counts are cumulative since the deploy and must not decrease (${sample[shrunk]} after ${prev[shrunk]})`);
    }
    out.push(sample);
  }
  return { id, samples: out, ...(secondHalf ? { secondHalf } : {}) };
}
