/**
 * The bundled action (dist/index.js) against the local tracker, under faults,
 * outages, bad input, cancellation, hostile text and re-runs. One test file so
 * every case runs at the same time: each is a child process that mostly sleeps
 * through a short window, and vitest runs files one after another on a small
 * machine (one worker per spare CPU). Cancellation has its own file: its
 * timings are about the child process, which must not wait for a CPU.
 */
import { afterAll, vi } from 'vitest';
import { printTable } from './faults';

// At most 16 cases at once: each is a node process plus a tracker served from this worker, and with all 60 at
// once on 2 loaded cores the trackers answered so late that the 5 s retry budget of a poll ran out (a burst of
// HTML pages or truncated JSON then skipped polls; 3 of 3 runs failed beside 3 busy loops, 0 of 2 at 16).
vi.setConfig({ maxConcurrency: 16 });
afterAll(() => printTable('Faults and outcomes (RELIABILITY_TABLE=1)'));

await import('./transient.cases');
await import('./outage.cases');
await import('./secrets.cases');
await import('./hostile.cases');
await import('./rerun.cases');
await import('./bad-input.cases');
await import('./wire.cases');
