/**
 * Grafana's range variables in a query, filled with the time the query must
 * cover: `$__range` / `${__range}` become a PromQL duration in whole seconds
 * (`[754s]`), `$__range_s` the seconds and `$__range_ms` the milliseconds.
 * Rounded up, so a count since the deploy never misses its first second;
 * at least 1s, the shortest range PromQL reads.
 */
export function fillRange(query: string, spanMs: number): string {
  const seconds = Math.max(1, Math.ceil(spanMs / 1000));
  return query
    .replace(/\$\{__range_ms\}|\$__range_ms\b/g, String(seconds * 1000))
    .replace(/\$\{__range_s\}|\$__range_s\b/g, String(seconds))
    .replace(/\$\{__range\}|\$__range\b/g, `${seconds}s`);
}
