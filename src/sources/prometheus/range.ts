/**
 * Grafana's range variables in a query, filled with the time the query must
 * cover: `$__range` / `${__range}` become a PromQL duration in whole seconds
 * (`[753s]`), `$__range_s` the seconds and `$__range_ms` the milliseconds.
 * Rounded down: a range that reached before the deploy would count the
 * previous release's last requests as this one's (a fix deployed over a
 * broken release would be judged on the broken one's 5xx); missing up to a
 * second of this release's traffic only delays the evidence. At least 1s, the
 * shortest range PromQL reads.
 */
export function fillRange(query: string, spanMs: number): string {
  const seconds = Math.max(1, Math.floor(spanMs / 1000));
  return query
    .replace(/\$\{__range_ms\}|\$__range_ms\b/g, String(seconds * 1000))
    .replace(/\$\{__range_s\}|\$__range_s\b/g, String(seconds))
    .replace(/\$\{__range\}|\$__range\b/g, `${seconds}s`);
}
