import * as z from 'zod';

/**
 * Prometheus's answer to an instant query (`GET /api/v1/query`), as
 * prometheus/prometheus docs/querying/api.md describes it: an envelope
 * `{status, data, errorType?, error?, warnings?, infos?}` whose data is
 * `{resultType, result}`. A sample is `[<unix seconds>, "<value as text>"]`
 * (text, so that NaN and ±Inf survive JSON); a native histogram sample has
 * `histogram` instead of `value`. Other servers of the same API (Mimir, Thanos,
 * VictoriaMetrics, Cortex) answer the same shape.
 */
const sample = z.tuple([z.number(), z.string()]);

const vector = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample.optional(), histogram: z.unknown().optional() })),
});
const scalar = z.object({ resultType: z.literal('scalar'), result: sample });
// Answers a check cannot use; read only so the error can say what came back.
const matrix = z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) });
const string = z.object({ resultType: z.literal('string'), result: z.unknown() });

export const queryResponseSchema = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [vector, scalar, matrix, string]),
  warnings: z.array(z.string()).optional(),
});

export type QueryResponse = z.output<typeof queryResponseSchema>;
export type QueryData = QueryResponse['data'];

/** The error envelope of a 4xx/5xx: only what the error line quotes. */
export const errorResponseSchema = z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() });
