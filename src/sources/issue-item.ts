import type { CountItem } from './types';

/**
 * A count item with the fields the report and the outputs list a new issue
 * by (Sentry's NewIssue: isNewIssue in sources/sentry/health.ts), so
 * Bugsnag's errors and Rollbar's items show there too. Server text, all of it.
 */
export type IssueItem = CountItem & { culprit: string | null; permalink: string | null; project: string; count: number; firstSeen: string };
