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

vi.setConfig({ maxConcurrency: 50 });
afterAll(() => printTable('Faults and outcomes (RELIABILITY_TABLE=1)'));

await import('./transient.cases');
await import('./outage.cases');
await import('./secrets.cases');
await import('./hostile.cases');
await import('./rerun.cases');
await import('./bad-input.cases');
await import('./wire.cases');
