/** A GFM table; cells must already be escaped (see `escapeMarkdown`). */
export function table(headers: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const rule = headers.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [headers, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * The rows to show of a long list: the first `head` and last `tail`, and how many were
 * left out in between, so a 10,000-poll run keeps both its start and its end.
 */
export function headAndTail<T>(items: T[], head: number, tail: number): { head: T[]; omitted: number; tail: T[] } {
  if (items.length <= head + tail) return { head: items, omitted: 0, tail: [] };
  return { head: items.slice(0, head), omitted: items.length - head - tail, tail: items.slice(items.length - tail) };
}

/** Up to `max` items spread evenly over the list, always keeping the first and the last. */
export function evenlySpaced<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const picked: T[] = [];
  let last = -1;
  for (let i = 0; i < max; i += 1) {
    const index = Math.round((i * (items.length - 1)) / (max - 1));
    if (index !== last) picked.push(items[index] as T);
    last = index;
  }
  return picked;
}
