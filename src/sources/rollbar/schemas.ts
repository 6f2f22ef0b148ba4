import * as z from 'zod';

/*
 * Rollbar answers, as the gate reads them (API reference:
 * https://docs.rollbar.com/reference): every answer is {"err": 0, "result": …}
 * except the deploy creation ({"data": {"deploy_id": …}}). Strings are server
 * text; counts must be whole and non-negative; times are epoch seconds.
 */

const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative().max(1e11);

export const deploySchema = z.object({
  id: z.number().int().nonnegative(),
  environment: z.string().max(1000),
  revision: z.string().max(1000).nullish(),
  comment: z.string().max(10_000).nullish(),
  local_username: z.string().max(1000).nullish(),
  status: z.string().max(100).nullish(),
  start_time: seconds.nullish(),
  finish_time: seconds.nullish(),
});
export type RollbarDeploy = z.output<typeof deploySchema>;

export const deployListSchema = z.object({
  err: z.literal(0),
  result: z.object({ deploys: z.array(deploySchema).max(1000), page: z.number().int().nullish() }),
});

/** POST /deploy: {"data": {"deploy_id": …}}; the newer form {"err": 0, "result": {"id": …}} is read too. */
export const deployCreatedSchema = z.union([
  z.object({ data: z.object({ deploy_id: z.number().int().nonnegative() }) }).transform((a) => a.data.deploy_id),
  z.object({ err: z.literal(0), result: z.object({ id: z.number().int().nonnegative() }) }).transform((a) => a.result.id),
  z.object({ err: z.literal(0), result: z.object({ deploy_id: z.number().int().nonnegative() }) }).transform((a) => a.result.deploy_id),
]);

export const deployUpdatedSchema = z.object({ err: z.literal(0) });

export const itemSchema = z.object({
  id: z.number().int().nonnegative(),
  counter: z.number().int().nonnegative().nullish(),
  title: z.string().max(5000).nullish(),
  level: z.string().max(100).nullish(),
  total_occurrences: count.nullish(),
  first_occurrence_timestamp: seconds.nullish(),
});
export type RollbarItem = z.output<typeof itemSchema>;

/** GET /versions/{version}/items: the result is the list, or an object holding it. */
export const versionItemsSchema = z.object({
  err: z.literal(0),
  result: z.union([z.array(itemSchema).max(5000), z.object({ items: z.array(itemSchema).max(5000) }).transform((r) => r.items)]),
});

/** GET /reports/occurrence_counts: [[bucket start, epoch s], count] pairs. */
export const occurrenceCountsSchema = z.object({
  err: z.literal(0),
  result: z.array(z.tuple([seconds, count])).max(100_000),
});
