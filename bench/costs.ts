import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type LocalTracker, sessionRequestsByPoll, startLocalTracker } from '../src/local-tracker';

export interface RequestCount {
  errorRate: boolean;
  newIssues: boolean;
  /** Session requests of each poll, in order (a poll's requests share their `end`). */
  sessionsByPoll: number[];
  issuesRequests: number;
  exit: number | null;
}

/**
 * Requests the shipped action sends per poll, counted at the local tracker
 * over a whole run (register, a 6-second window polled every second, report),
 * with the error-rate and new-issue checks off and on.
 */
export async function requestsPerPoll(entry: string): Promise<RequestCount[]> {
  if (!existsSync(entry)) throw new Error(`${entry} is not built (npm run build)`);
  const configs = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;
  return Promise.all(
    configs.map(async ([errorRate, newIssues]) => {
      const tracker = await startLocalTracker({ scenario: 'healthy', timeScale: 60 });
      try {
        const env = shortRunEnv(tracker, {
          ...(errorRate ? { 'max-error-rate': '0.5' } : {}),
          ...(newIssues ? { 'max-new-issue-users': '1000' } : {}),
        });
        const child = spawn(process.execPath, [entry], { env, stdio: 'ignore' });
        const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
        const issuesRequests = tracker.requests.filter((r) => r.path.endsWith('/issues/')).length;
        return { errorRate, newIssues, sessionsByPoll: sessionRequestsByPoll(tracker.requests), issuesRequests, exit };
      } finally {
        await tracker.close();
      }
    }),
  );
}

export interface ActionCosts {
  bundleBytes: number;
  bareNodeMs: number;
  coldStartMs: number;
  coldStartRatio: number;
  peakRssMiB: number;
  /** The same measure for `node -e ''`, for scale. */
  bareRssMiB: number;
  /** How the action run ended (exit code), to show the measured run was a whole one. */
  memoryRunExit: number | null;
  memoryTool: string;
  repeats: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The runner's environment: INPUT_* for the action, files for outputs and the summary. */
function actionEnv(url: string, token: string, org: string, project: string, extra: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'rhg-bench-'));
  for (const f of ['output', 'summary.md']) writeFileSync(join(dir, f), '');
  writeFileSync(join(dir, 'event.json'), '{}');
  const inputs: Record<string, string> = {
    'sentry-url': url,
    'sentry-auth-token': token,
    'sentry-org': org,
    'sentry-projects': project,
    release: 'bench@2.0.0',
    'set-commits': 'skip',
    ...extra,
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: 'f00dfacecafebeef0000000000000000000000aa',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    RUNNER_TEMP: dir,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

/** A whole short run on a 60× tracker: register, a 6-second window polled every second, report. */
function shortRunEnv(tracker: LocalTracker, extra: Record<string, string>): Record<string, string> {
  return actionEnv(tracker.url, tracker.token, tracker.org, tracker.scenario.projectSlugs[0]!, {
    window: '6s',
    interval: '1s',
    'initial-delay': '1s',
    settle: '0s',
    ...extra,
  });
}

function bareNodeMs(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

/** Process spawn to the first request the tracker receives; the child is killed right after. */
async function coldStartMs(entry: string): Promise<number> {
  const tracker = await startLocalTracker({ scenario: 'healthy' });
  try {
    const env = actionEnv(tracker.url, tracker.token, tracker.org, tracker.scenario.projectSlugs[0]!, {});
    const started = performance.now();
    const child = spawn(process.execPath, [entry], { env, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const ms = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        if (tracker.requests.length > 0) {
          clearInterval(timer);
          resolve(performance.now() - started);
        }
      }, 1);
      child.on('exit', (code) => {
        if (tracker.requests.length === 0) {
          clearInterval(timer);
          reject(new Error(`the action exited (code ${code}) before sending a request`));
        }
      });
    });
    child.kill('SIGKILL');
    await exited;
    return ms;
  } finally {
    await tracker.close();
  }
}

const TIME = '/usr/bin/time';
const EXIT_HOOK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxrss-kb="+process.resourceUsage().maxRSS+"\\n"))';

/** Peak RSS of `node ...args`, with /usr/bin/time -v when there is one, else from inside the child. */
async function peakRssOf(args: string[], env: Record<string, string> | undefined): Promise<{ mib: number; tool: string; exit: number | null }> {
  const useTime = existsSync(TIME) && spawnSync(TIME, ['-v', 'true']).status === 0;
  const [cmd, argv] = useTime ? [TIME, ['-v', process.execPath, ...args]] : [process.execPath, ['--import', EXIT_HOOK, ...args]];
  const child = spawn(cmd, argv, { ...(env ? { env } : {}), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const kb = Number((useTime ? /Maximum resident set size \(kbytes\): (\d+)/ : /maxrss-kb=(\d+)/).exec(stderr)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no peak memory figure in the child's output: ${stderr.slice(-300)}`);
  return { mib: kb / 1024, tool: useTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS', exit };
}

/** Peak RSS of a whole short run of the action: register, a 6-second window polled every second, report. */
async function peakRss(entry: string): Promise<{ mib: number; tool: string; exit: number | null }> {
  const tracker = await startLocalTracker({ scenario: 'healthy', timeScale: 60 });
  try {
    return await peakRssOf([entry], shortRunEnv(tracker, {}));
  } finally {
    await tracker.close();
  }
}

/** The action's code: its entry and the chunks it imports on demand (dist/chunks/). */
function bundleBytes(entry: string): number {
  const chunks = join(dirname(entry), 'chunks');
  const files = existsSync(chunks)
    ? readdirSync(chunks)
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(chunks, f))
    : [];
  return [entry, ...files].reduce((total, f) => total + statSync(f).size, 0);
}

/** Start-up, memory and size of the shipped bundle, or null when it has not been built. */
export async function actionCosts(entry: string, repeats: number): Promise<ActionCosts | null> {
  if (!existsSync(entry)) return null;
  const bare: number[] = [];
  const cold: number[] = [];
  // Interleaved so both see the same machine load.
  for (let i = 0; i < repeats; i++) {
    bare.push(await bareNodeMs());
    cold.push(await coldStartMs(entry));
  }
  const memory = await peakRss(entry);
  const bareMemory = await peakRssOf(['-e', ''], undefined);
  const bareNodeMsMedian = median(bare);
  const coldStartMsMedian = median(cold);
  return {
    bundleBytes: bundleBytes(entry),
    bareNodeMs: bareNodeMsMedian,
    coldStartMs: coldStartMsMedian,
    coldStartRatio: coldStartMsMedian / bareNodeMsMedian,
    peakRssMiB: memory.mib,
    bareRssMiB: bareMemory.mib,
    memoryRunExit: memory.exit,
    memoryTool: memory.tool,
    repeats,
  };
}
