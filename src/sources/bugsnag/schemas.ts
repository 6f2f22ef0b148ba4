import * as z from 'zod';

/*
 * Bugsnag answers, as the gate reads them. Every string is server text:
 * escape before display. Counts must be whole and non-negative; the rest of
 * each object is ignored.
 *
 * Data Access API v2 (https://docs.bugsnag.com/api/data-access/, reference
 * https://bugsnagapiv2.docs.apiary.io/): release groups (Releases →
 * List Release Groups / Get Release Group), builds (Releases → List Releases
 * of a project), errors (Errors → List the Errors on a Project, with
 * filters[version.introduced_in] and filters[app.release_stage]).
 * Build API: https://docs.bugsnag.com/api/build/ (POST /, JSON body).
 */

const count = z.number().int().nonnegative();
const optionalCount = count.nullish();

export const releaseGroupSchema = z.object({
  id: z.string().min(1).max(200),
  app_version: z.string().max(1000),
  release_stage_name: z.string().max(1000).nullish(),
  first_released_at: z.string().max(64).nullish(),
  total_sessions_count: optionalCount,
  unhandled_sessions_count: optionalCount,
  accumulative_daily_users_seen: optionalCount,
  accumulative_daily_users_with_unhandled: optionalCount,
});
export type ReleaseGroup = z.output<typeof releaseGroupSchema>;
export const releaseGroupListSchema = z.array(releaseGroupSchema).max(1000);

export const buildSchema = z.object({
  id: z.string().min(1).max(200),
  app_version: z.string().max(1000),
  release_time: z.string().max(64).nullish(),
  release_stage: z.object({ name: z.string().max(1000) }).nullish(),
  source_control: z.object({ revision: z.string().max(200).nullish() }).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type BugsnagBuild = z.output<typeof buildSchema>;
export const buildListSchema = z.array(buildSchema).max(1000);

export const errorSchema = z.object({
  id: z.string().min(1).max(200),
  error_class: z.string().max(5000).nullish(),
  message: z.string().max(5000).nullish(),
  users: count,
  events: optionalCount,
  first_seen: z.string().max(64).nullish(),
});
export type BugsnagError = z.output<typeof errorSchema>;
export const errorListSchema = z.array(errorSchema).max(1000);

/** The Build API answers a small JSON object ({"status": "ok"} or {"errors": [...]}); its content is not needed. */
export const buildAnswerSchema = z.unknown();
