import { createHash } from 'node:crypto';
import type { StubCommit } from '../helpers/github-stub';

export const TOKEN = 'ghs_s3cr3tT0kenValue1234567890';

export function sha(n: number): string {
  return createHash('sha1').update(`commit ${n}`).digest('hex');
}

/** A linear history of `count` commits, one minute apart, each touching its own file. */
export function history(count: number): StubCommit[] {
  return Array.from({ length: count }, (_, i) => ({
    sha: sha(i),
    message: `change ${i}\n\nbody of change ${i}`,
    author: { name: `Dev ${i}`, email: `dev${i}@example.com`, date: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() },
    committedAt: new Date(Date.UTC(2026, 0, 2, 0, i)).toISOString(),
    files: [{ filename: `src/file${i}.ts`, status: 'modified' as const }],
  }));
}
