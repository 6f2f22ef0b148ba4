import * as z from 'zod';

/**
 * Datadog's v2 scalar query (`POST /api/v2/query/scalar`, operation
 * QueryScalarData), the part of its published schema the source sends and
 * reads; test/fixtures/datadog-openapi holds that subset and the contract
 * tests check both directions against it. A recorded answer
 * (datadog-api-client-typescript's cassette "Scalar cross product query
 * returns OK response") names each number column after its formula and may
 * put null among a column's units.
 */
export interface ScalarQuery {
  data_source: 'metrics';
  name: string;
  query: string;
  aggregator: 'sum' | 'last';
}

export interface ScalarRequest {
  data: {
    type: 'scalar_request';
    attributes: { from: number; to: number; queries: ScalarQuery[]; formulas: { formula: string; limit: { count: number; order: 'desc' } }[] };
  };
}

const numberColumn = z.object({ type: z.literal('number'), name: z.string(), values: z.array(z.number().nullable()) });
const groupColumn = z.object({ type: z.literal('group'), name: z.string().optional(), values: z.array(z.array(z.string())).optional() });

export const scalarResponseSchema = z.object({
  data: z
    .object({
      type: z.literal('scalar_response').optional(),
      attributes: z.object({ columns: z.array(z.union([numberColumn, groupColumn])).optional() }).optional(),
    })
    .optional(),
  // A query the API could not run sits here next to a 200 (an unknown metric, a bad tag).
  errors: z.string().optional(),
});

export type ScalarResponse = z.output<typeof scalarResponseSchema>;
