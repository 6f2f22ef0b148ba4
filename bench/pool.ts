import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

/*
 * The benchmark's cells over worker threads. Every cell seeds its own
 * generator from its parameters, so a cell's figures do not depend on which
 * thread runs it or in which order: the results are the same as in one thread.
 * A job names a handler and gives it plain arguments (a policy is rebuilt from
 * its flags in the worker: checks do not cross threads as they are).
 */

export interface Job {
  kind: string;
  args: (string | number)[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler takes its own argument list
type Handler = (...args: any[]) => unknown;

export const isWorker = !isMainThread;

/** In a worker: answer jobs with these handlers until the main thread lets go. */
export function serveJobs(handlers: Record<string, Handler>): void {
  parentPort!.on('message', ({ i, job }: { i: number; job: Job }) => {
    const handler = handlers[job.kind];
    if (!handler) throw new Error(`no bench handler ${job.kind}`);
    parentPort!.postMessage({ i, result: handler(...job.args) });
  });
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * Runs the jobs on `workers` threads started from `script` (this bundle),
 * slowest-first as listed, and returns the results in job order.
 */
export async function runJobs<T>(script: URL, jobs: Job[], workers: number, onDone?: (done: number, total: number) => void): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  let done = 0;
  const threads = Array.from({ length: Math.min(workers, jobs.length) }, () => new Worker(script, { argv: process.argv.slice(2) }));
  try {
    await Promise.all(
      threads.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= jobs.length) return resolve();
              const i = next++;
              w.postMessage({ i, job: jobs[i] });
            };
            w.on('message', ({ i, result }: { i: number; result: T }) => {
              results[i] = result;
              done += 1;
              onDone?.(done, jobs.length);
              feed();
            });
            w.on('error', reject);
            w.on('exit', (code) => (next < jobs.length || done < jobs.length ? reject(new Error(`bench worker exited ${code}`)) : resolve()));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
  return results;
}
