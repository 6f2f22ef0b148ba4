import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_ENTRY } from '../helpers/action';

export const CLI_TOKEN = 'sntryu_cli_secret_token_0123456789';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Runs the bundled CLI as a user would: a fresh node process with only PATH,
 * an empty HOME of its own and the variables the test gives (no GITHUB_*, no SENTRY_* by default).
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  signalAfter?: { ms: number; signal: NodeJS.Signals },
): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'rhg-cli-home-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (signalAfter) setTimeout(() => child.kill(signalAfter.signal), signalAfter.ms);
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return { code, stdout, stderr, durationMs: Date.now() - started };
}

/** The `gate` flags the e2e action runs use (test/helpers/gate.ts), for the same scenario timing. */
export const gateFlags = (url: string) => [
  '--sentry-url',
  url,
  '--sentry-org',
  'acme',
  '--sentry-projects',
  'shop-web',
  '--release',
  'shop-web@2.0.0',
  '--set-commits',
  'skip',
  '--window',
  '12s',
  '--interval',
  '2s',
  '--initial-delay',
  '2s',
  '--settle',
  '0s',
];
