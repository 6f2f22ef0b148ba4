/** Small seeded generators: the traffic must be identical for the same seed on every run. */
import { mulberry32 } from '../sim/simulate';

/** 32-bit FNV-1a of a string key, used to derive independent streams per (seed, project, minute). */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function streamFor(...parts: (string | number)[]): () => number {
  return mulberry32(hashKey(parts.join('|')));
}
