import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Every module specifier a file imports: static imports and re-exports (types too) and dynamic import(). */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s*['"]([^'"]+)['"]/gm];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * The folder a file belongs to: the top folder under src/, except that each
 * source (src/sources/<name>/) is a folder of its own, and what all sources
 * share (the ports, src/sources/types.ts, and their errors) are nodes of
 * their own; so is each entry file at the top (main, cli, index, version).
 */
export function folderOf(src: string, file: string): string {
  const parts = relative(src, file).replace(/\.ts$/, '').split(sep);
  if (parts.length === 1) return parts[0]!;
  if (parts[0] === 'sources' && parts[1] !== 'index') return `sources/${parts[1]}`;
  return parts[0]!;
}

/** Folder → the folders its files import (relative imports only), each edge with one file that makes it. */
export function folderGraph(src: string): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(src)) {
    const from = folderOf(src, file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const to = folderOf(src, resolve(dirname(file), spec));
      if (to !== from && !edges.has(to)) edges.set(to, relative(src, file));
    }
  }
  return graph;
}

/** Pairs of folders that import each other, directly or through others: each cycle as a path a → … → a. */
export function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const start of [...graph.keys()].sort()) {
    // Shortest way back to `start` (breadth first), reported once per set of folders.
    const back = new Map<string, string>();
    const queue = [...(graph.get(start)?.keys() ?? [])];
    for (const to of queue) back.set(to, start);
    while (queue.length > 0) {
      const at = queue.shift()!;
      if (at === start) break;
      for (const to of graph.get(at)?.keys() ?? []) {
        if (back.has(to)) continue;
        back.set(to, at);
        queue.push(to);
      }
    }
    if (!back.has(start)) continue;
    const path = [start];
    for (let at = back.get(start)!; at !== start; at = back.get(at)!) path.unshift(at);
    path.unshift(start);
    const key = [...new Set(path)].sort().join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push(path);
  }
  return cycles;
}
