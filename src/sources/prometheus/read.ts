import type { QueryData } from './schemas';

/** What one query's answer says: a number, no data, or an answer a check cannot use (the reason). */
export type Reading = { value: number } | { value: null; why: string } | { unusable: string };

/** The single number of an answer: one series or a scalar. Empty or NaN is no data, never 0. */
export function readOne(data: QueryData): Reading {
  if (data.resultType === 'matrix')
    return { unusable: 'returned a range vector: wrap the selector in a function such as increase(...[$__range]) or last_over_time(...)' };
  if (data.resultType === 'string') return { unusable: 'returned a string, not a number' };
  if (data.resultType === 'scalar') return parseValue(data.result[1]);
  if (data.result.length === 0) return { value: null, why: 'no data (the query returned no series)' };
  if (data.result.length > 1) return { unusable: `returned ${data.result.length} series: aggregate it to one, such as sum(...) or min(...)` };
  const [series] = data.result;
  if (!series?.value) return { unusable: 'returned a native histogram, not a number: use histogram_count(...) or histogram_fraction(...)' };
  return parseValue(series.value[1]);
}

function parseValue(text: string): Reading {
  // NaN is what 0/0 gives (a rate with no traffic): no data, not a value.
  if (/^nan$/i.test(text)) return { value: null, why: 'no data (the query returned NaN)' };
  const value = Number(text);
  if (!Number.isFinite(value)) return { unusable: `returned ${/inf/i.test(text) ? 'an infinite value' : 'a value that is not a number'}` };
  return { value };
}

/** Buckets of `sum by (le) (...)`: le (seconds, +Inf included) → count. Null with the reason when the answer is not buckets. */
export function readBuckets(data: QueryData): { buckets: Map<number, number> } | { value: null; why: string } | { unusable: string } {
  if (data.resultType !== 'vector') return { unusable: `returned a ${data.resultType}, not histogram buckets` };
  if (data.result.length === 0) return { value: null, why: 'no data (the histogram has no series)' };
  const buckets = new Map<number, number>();
  for (const series of data.result) {
    const le = series.metric.le;
    if (le === undefined)
      return { unusable: 'has series without an le label: give the histogram\'s _bucket series, such as http_request_duration_seconds_bucket{job="shop"}' };
    const bound = /^\+?inf$/i.test(le) ? Infinity : Number(le);
    if (Number.isNaN(bound) || !series.value) return { unusable: 'has a bucket that is not a number' };
    const count = series.value[1];
    if (/^nan$/i.test(count)) continue;
    const n = Number(count);
    if (!Number.isFinite(n)) return { unusable: 'has a bucket with an infinite count' };
    buckets.set(bound, (buckets.get(bound) ?? 0) + n);
  }
  if (!buckets.has(Infinity)) return { value: null, why: 'no data (the histogram has no +Inf bucket in this range)' };
  return { buckets };
}
