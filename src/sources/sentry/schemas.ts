import * as z from 'zod';

// Only the fields we read; the published schema (shared/sentry-openapi) has the rest.
const projectRef = z.object({ id: z.union([z.number(), z.string()]).transform(String), slug: z.string() });

export const deploySchema = z.object({
  environment: z.string(),
  dateStarted: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  dateFinished: z.string(),
  url: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
});

export const releaseSchema = z.object({
  version: z.string(),
  dateCreated: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  dateReleased: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  lastCommit: z
    .object({ id: z.string() })
    .loose()
    .nullish()
    .transform((v) => v ?? null),
  lastDeploy: deploySchema
    .loose()
    .nullish()
    .transform((v) => v ?? null),
  projects: z.array(projectRef.loose()).default([]),
});
export type SentryRelease = z.output<typeof releaseSchema>;

export const releaseListSchema = z.array(releaseSchema);
export const deployListSchema = z.array(deploySchema);
export const repoListSchema = z.array(z.object({ name: z.string(), status: z.string().optional() }));

const total = z.number().nullable();
export const sessionsSchema = z.object({
  groups: z.array(
    z.object({
      by: z.record(z.string(), z.union([z.string(), z.number()])),
      totals: z.record(z.string(), total),
    }),
  ),
});
export type SessionsResponse = z.output<typeof sessionsSchema>;

/**
 * Sentry answers every requested count in each group's totals and every
 * groupBy key in `by`. A group without them is a broken answer, not zero
 * sessions: refuse it so the poll is retried or skipped. Only the counts are
 * required: a self-hosted Sentry on the sessions dataset drops the rate fields
 * it does not know without a word (sessions_v2.QueryDefinition), and the
 * adapter then counts from the status query.
 */
export function sessionsSchemaFor(fields: readonly string[], groupBy: readonly string[]): z.ZodType<SessionsResponse> {
  return sessionsSchema.superRefine((res, ctx) => {
    res.groups.forEach((group, i) => {
      for (const f of fields) if (!(f in group.totals)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'totals', f], message: 'missing' });
      for (const key of groupBy) if (!(key in group.by)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'by', key], message: 'missing' });
    });
  });
}

/**
 * A time as Sentry writes it (ISO 8601, a four-digit year). An issue's time that
 * is not one is a broken answer, not a date to guess: counted as new, it could
 * fail the gate and roll back a healthy release.
 */
const isoTime = z.string().refine((v) => v.length <= 40 && /^\d{4}-\d\d-\d\dT/.test(v) && Number.isFinite(Date.parse(v)), 'not an ISO 8601 time');

/** A count of events or users: a whole number that is exact in a double. */
const issueCount = z.number().refine((n) => Number.isSafeInteger(n) && n >= 0, 'not a count');

export const issueListSchema = z.array(
  z.object({
    id: z.string(),
    shortId: z.string(),
    title: z.string(),
    culprit: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    permalink: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    // Null when the issue has no event in the asked environment (the serializer's environment stats).
    firstSeen: isoTime.nullable(),
    // Sentry serialises the event count as a string.
    count: z
      .union([z.string().regex(/^\d{1,16}$/, 'not a count'), z.number()])
      .transform(Number)
      .pipe(issueCount),
    userCount: issueCount,
    project: z.object({ slug: z.string() }),
  }),
);

export const anyJson = z.unknown();
