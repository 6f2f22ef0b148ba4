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

/**
 * Joins sections in order, replacing any that would take the total past `maxBytes`
 * with a one-line note, so a pathological section cannot push out the ones after it.
 */
export function joinWithinBudget(sections: { name: string; text: string | null }[], maxBytes: number): string {
  const parts: string[] = [];
  let bytes = 1;
  for (const { name, text } of sections) {
    if (text === null) continue;
    const note = `_${name} omitted: the summary would exceed ${formatBytes(maxBytes)}._`;
    // Room for the notes of the sections still to come.
    const reserve = 200 * (sections.length - parts.length);
    const size = Buffer.byteLength(text, 'utf8') + 2;
    const chosen = bytes + size + reserve <= maxBytes ? text : note;
    parts.push(chosen);
    bytes += Buffer.byteLength(chosen, 'utf8') + 2;
  }
  return `${parts.join('\n\n')}\n`;
}

function formatBytes(n: number): string {
  return n >= 1024 ? `${Math.floor(n / 1024)} KiB` : `${n} bytes`;
}
