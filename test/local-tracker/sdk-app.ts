/** Runs test/fixtures/sdk-app (the real @sentry/node SDK) against a DSN, from a copy of its own. */
import { execFile, execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const APP = fileURLToPath(new URL('../fixtures/sdk-app/', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

export type Action = 'ok' | 'error' | 'db' | 'crash';
export interface PlanSession {
  user?: string;
  do: Action[];
}

export async function runSdkApp(
  dsn: string,
  opts: { release: string; environment?: string; mode: 'sessions' | 'server'; sessions: PlanSession[]; shiftLines?: number },
): Promise<string> {
  // Each deploy is its own directory, as on a server: the same code, maybe at other line numbers.
  const dir = await mkdtemp(join(tmpdir(), 'rhg-sdk-app-'));
  try {
    await copyFile(join(APP, 'app.cjs'), join(dir, 'app.cjs'));
    const checkout = await readFile(join(APP, 'checkout.cjs'), 'utf8');
    await writeFile(join(dir, 'checkout.cjs'), checkout.replace('// LINES', '\n'.repeat(opts.shiftLines ?? 0)));
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'app.cjs')], {
      cwd: dir,
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: NODE_MODULES,
        SENTRY_DSN: dsn,
        SENTRY_RELEASE: opts.release,
        SENTRY_ENVIRONMENT: opts.environment ?? 'production',
        SDK_PLAN: JSON.stringify({ mode: opts.mode, sessions: opts.sessions }),
      },
    });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A python3 that has sentry_sdk (Debian's python3-sentry-sdk, or pip's), or undefined. */
export const PYTHON_WITH_SDK = ['python3', '/usr/bin/python3'].find((python) => {
  try {
    execFileSync(python, ['-c', 'import sentry_sdk'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
});

/** test/fixtures/sdk-app/app.py (sentry-python) in session mode. */
export async function runPythonSdkApp(python: string, dsn: string, opts: { release: string; sessions: PlanSession[] }): Promise<string> {
  const { stdout } = await promisify(execFile)(python, [join(APP, 'app.py')], {
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '',
      SENTRY_DSN: dsn,
      SENTRY_RELEASE: opts.release,
      SDK_PLAN: JSON.stringify({ mode: 'sessions', sessions: opts.sessions }),
    },
  });
  return stdout;
}
